"""The argument reference of the ``learning_rate`` section, as text.

Both formats are rendered from the dargs ``Argument`` returned by
:func:`~deepmd_lr.learning_rate_args`, so they always list exactly the keys
that are checked: reStructuredText through dargs' own ``gen_doc``, with types
and defaults spelled as in a JSON input and the key names in the text linked
to their entries; Markdown by walking the same ``Argument`` tree.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from dargs import Argument, Variant

Format = Literal["md", "rst"]
FORMATS: tuple[Format, ...] = ("md", "rst")


def argument_reference(fmt: Format = "md") -> str:
    """The reference of every ``learning_rate`` key, in ``"md"`` or ``"rst"``.

    Examples
    --------
    >>> text = argument_reference("md")
    >>> text.splitlines()[0]
    '# `learning_rate`'
    >>> "learning_rate[exp]/decay_steps" in text
    True
    """
    from deepmd_lr.describe.arguments import learning_rate_args

    argument = learning_rate_args()
    if fmt == "md":
        return markdown_reference(argument)
    if fmt == "rst":
        return rst_reference(argument)
    raise ValueError(f"unknown documentation format {fmt!r}; use 'md' or 'rst'")


def rst_reference(argument: Argument, *, sphinx_domain: bool = False) -> str:
    """reStructuredText with an anchor per key and links between them.

    Parameters
    ----------
    argument
        The section, as returned by :func:`~deepmd_lr.learning_rate_args`.
    sphinx_domain
        Declare each key as a ``dargs:argument`` object, which Sphinx with
        the ``dargs.sphinx`` extension indexes and lets other pages link to
        with ``:dargs:argument:`learning_rate/stop_lr```.

    Examples
    --------
    >>> from deepmd_lr import learning_rate_args
    >>> text = rst_reference(learning_rate_args())
    >>> "| type: ``float`` or ``null``, optional, default: ``null``" in text
    True
    >>> "|key:learning_rate/stop_lr|_" in text
    True
    """
    text = argument.gen_doc(
        make_anchor=True, make_link=True, use_sphinx_domain=sphinx_domain
    )
    lines, linked = _link_key_names(
        [_readable_signature(line) for line in text.splitlines()],
        _key_paths(argument),
    )
    for path in sorted(linked):
        name = path.rsplit("/", 1)[-1]
        lines.append(f".. |key:{path}| replace:: ``{name}``")
        lines.append(f".. _`key:{path}`: `{path}`_")
    return "\n".join(lines).rstrip() + "\n"


_TYPE_LINE = re.compile(r"^(\s*\| type: )((?:``[^`]+``(?: \| )?)+)(.*)$")
_DEFAULT = re.compile(r"default: ``([^`]*)``")


def _readable_signature(line: str) -> str:
    """A dargs ``| type:`` line with its types and default as JSON spells them."""
    match = _TYPE_LINE.match(line)
    if match is None:
        return line
    prefix, types, rest = match.groups()
    names = [_type_name(name.strip("`")) for name in types.split(" | ")]
    default = _DEFAULT.search(rest)
    if default is not None:
        rest = rest.replace(
            default.group(0),
            f"default: ``{_json_default(default.group(1), names)}``",
        )
    return prefix + " or ".join(f"``{name}``" for name in names) + rest


def _json_default(shown: str, types: list[str]) -> str:
    """The JSON spelling of a default that dargs printed with ``str()``."""
    if shown == "None":
        return "null"
    if "bool" in types and shown in ("True", "False"):
        return shown.lower()
    if "str" in types:
        return f'"{shown}"'
    return shown


def _key_paths(argument: Argument) -> dict[str, dict[str, str]]:
    """Anchor path of each key name, by the part of the section it is in:
    ``""`` for the common keys, a schedule type for that type's own keys."""
    section = argument.name
    paths: dict[str, dict[str, str]] = {
        "": {name: f"{section}/{name}" for name in argument.sub_fields}
    }
    for variant in argument.sub_variants.values():
        paths[""][variant.flag_name] = f"{section}/{variant.flag_name}"
        for choice, sub in variant.choice_dict.items():
            paths[choice] = {
                name: f"{section}[{choice}]/{name}" for name in sub.sub_fields
            }
    return paths


# A line that holds prose, not an anchor, a directive, or a signature.
_PROSE = re.compile(r"^\s*(?:\* \|code:[^|]+\|_: )?[A-Za-z(\"]")
_ENTRY_NAME = re.compile(r"^\s*\w+:\s*$")
_ANCHOR = re.compile(r"^\s*\.\. _`[^`\[/]+(?:\[([^\]]+)\])?(?:/([^`]+))?`:")


def _link_key_names(
    lines: list[str], paths: dict[str, dict[str, str]]
) -> tuple[list[str], set[str]]:
    """Each key name in the prose turned into a link to that key's entry.

    A name is looked up among the keys of the schedule type being described,
    then among the common keys, then among the keys of a single other type.
    ``type`` is left alone: in prose it is mostly the word, not the key.
    """
    owners: dict[str, list[str]] = {}
    for section_part, keys in paths.items():
        for name in keys:
            owners.setdefault(name, []).append(section_part)
    linkable = sorted((n for n in owners if n != "type"), key=len, reverse=True)
    word = re.compile(
        r"(?<![\w`|/\[])(" + "|".join(map(re.escape, linkable)) + r")(?![\w`|/\]])"
    )
    linked: set[str] = set()
    part, own = "", ""
    result = []
    for line in lines:
        anchor = _ANCHOR.match(line)
        if anchor is not None:
            part, own = anchor.group(1) or "", anchor.group(2) or ""
        elif (
            _PROSE.match(line)
            and not _ENTRY_NAME.match(line)
            and not line.lstrip().startswith("When |")
        ):

            def link(match: re.Match[str], part: str = part, own: str = own) -> str:
                name = match.group(1)
                found = [p for p in (part, "") if name in paths.get(p, {})]
                if not found and len(owners[name]) == 1:
                    found = owners[name]
                if not found:
                    return name
                if name == own and found[0] == part:
                    return f"``{name}``"
                path = paths[found[0]][name]
                linked.add(path)
                return f"|key:{path}|_"

            line = word.sub(link, line)
        result.append(line)
    return result, linked


def markdown_reference(argument: Argument) -> str:
    """Markdown: one heading per key, its type, default and documentation."""
    lines: list[str] = []
    _markdown_argument(argument, [], 1, lines)
    return "\n".join(lines).rstrip() + "\n"


def _markdown_argument(
    argument: Argument, parent: list[str], level: int, lines: list[str]
) -> None:
    path = [*parent, argument.name]
    lines.append(f"{'#' * min(level, 6)} `{argument.name}`")
    lines.append("")
    lines.append(f"Path: `{'/'.join(path)}`  ")
    lines.append(_signature(argument))
    lines.append("")
    _markdown_body(argument, path, level, lines)


def _markdown_body(
    argument: Argument, path: list[str], level: int, lines: list[str]
) -> None:
    if argument.doc:
        lines.append(argument.doc)
        lines.append("")
    if argument.fold_subdoc:
        return
    for field in argument.sub_fields.values():
        _markdown_argument(field, path, level + 1, lines)
    for variant in argument.sub_variants.values():
        _markdown_variant(variant, path, level + 1, lines)


def _markdown_variant(
    variant: Variant, path: list[str], level: int, lines: list[str]
) -> None:
    flag_path = "/".join([*path, variant.flag_name])
    choices = ", ".join(f"`{name}`" for name in variant.choice_dict)
    lines.append(f"{'#' * min(level, 6)} `{variant.flag_name}`")
    lines.append("")
    lines.append(f"Path: `{flag_path}`  ")
    signature = "Type: `str`, selects the keys below"
    if variant.optional:
        signature += f", optional, default `{variant.default_tag}`"
    lines.append(signature + "  ")
    lines.append(f"Choices: {choices}")
    lines.append("")
    if variant.doc:
        lines.append(variant.doc)
        lines.append("")
    for name, choice in variant.choice_dict.items():
        choice_path = [*path[:-1], f"{path[-1]}[{name}]"]
        lines.append(
            f"{'#' * min(level + 1, 6)} When `{variant.flag_name}` is `{name}`"
        )
        lines.append("")
        _markdown_body(choice, choice_path, level + 1, lines)


def _signature(argument: Argument) -> str:
    types = " or ".join(f"`{_type_name(dtype)}`" for dtype in argument.dtype)
    text = f"Type: {types}"
    if not argument.optional:
        return text + ", required"
    text += ", optional"
    # Every optional key is declared with its default; an object (the
    # section, a schedule's group of keys) has none of its own.
    if dict not in argument.dtype:
        text += f", default `{_json_text(argument.default)}`"
    return text


def _type_name(dtype: Any) -> str:
    if dtype is None or dtype is type(None) or dtype == "NoneType":
        return "null"
    return getattr(dtype, "__name__", str(dtype))


def _json_text(value: Any) -> str:
    import json

    return json.dumps(value)
