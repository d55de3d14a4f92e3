"""The argument reference of the ``learning_rate`` section, as text.

Both formats are rendered from the dargs ``Argument`` returned by
:func:`~deepmd_lr.learning_rate_args`, through its public attributes, so they
always list exactly the keys that are checked, with types and defaults
spelled as in a JSON input. The reStructuredText gives every key an anchor
and links the key names in the documentation to their entries.
"""

from __future__ import annotations

import json
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
    writer = _RstWriter(_KeyLinks(argument), sphinx_domain)
    writer.argument(argument, "", 0)
    return writer.text()


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


class _KeyLinks:
    """Turns the key names in a documentation text into links to their entries.

    A name is looked up among the keys of the schedule type being described,
    then among the common keys, then among the keys of a single other type.
    ``type`` is left alone: in prose it is mostly the word, not the key.
    """

    def __init__(self, argument: Argument) -> None:
        self.paths = _key_paths(argument)
        self.owners: dict[str, list[str]] = {}
        for part, keys in self.paths.items():
            for name in keys:
                self.owners.setdefault(name, []).append(part)
        linkable = sorted(
            (n for n in self.owners if n != "type"), key=len, reverse=True
        )
        self._word = re.compile(
            r"(?<![\w`|/\[])(" + "|".join(map(re.escape, linkable)) + r")(?![\w`|/\]])"
        )
        self.linked: set[str] = set()

    def link(self, text: str, part: str, own: str) -> str:
        """``text`` of the key ``own`` (``""`` for none) of the part ``part``,
        with its mentions of other keys linked and of ``own`` set as literal."""

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            found = [p for p in (part, "") if name in self.paths.get(p, {})]
            if not found and len(self.owners[name]) == 1:
                found = self.owners[name]
            if not found:
                return name
            if name == own and found[0] == part:
                return f"``{name}``"
            path = self.paths[found[0]][name]
            self.linked.add(path)
            return f"|key:{path}|_"

        return self._word.sub(replace, text)

    def definitions(self) -> list[str]:
        """The substitutions and targets of the links made so far."""
        lines = []
        for path in sorted(self.linked):
            lines += _literal_link("key", path, path.rsplit("/", 1)[-1])
        return lines


def _literal_link(kind: str, path: str, name: str) -> list[str]:
    """``|kind:path|_``: ``name`` set as literal text, linking to ``path``."""
    return [
        f".. |{kind}:{path}| replace:: ``{name}``",
        f".. _`{kind}:{path}`: `{path}`_",
    ]


class _RstWriter:
    """The reStructuredText of an ``Argument`` tree, indented by nesting."""

    def __init__(self, links: _KeyLinks, sphinx_domain: bool) -> None:
        self._links = links
        self._sphinx_domain = sphinx_domain
        self._lines: list[str] = []
        self._definitions: list[str] = []

    def text(self) -> str:
        lines = [*self._lines, "", *self._definitions, *self._links.definitions()]
        return "\n".join(lines).rstrip() + "\n"

    def _add(self, indent: int, *lines: str) -> None:
        self._lines += [" " * indent + line if line else "" for line in lines]

    def _entry(self, name: str, path: str, indent: int, kind: str, *more: str) -> int:
        """The anchor, title, type and path of a key; returns the body's indent."""
        self._add(indent, f".. _`{path}`:", "")
        if self._sphinx_domain:
            self._add(indent, f".. dargs:argument:: {name}:", f"   :path: {path}", "")
        else:
            self._add(indent, f"{name}:")
        body = indent + 4
        self._add(body, kind, f"| argument path: ``{path}``", *more, "")
        return body

    def argument(
        self, argument: Argument, parent: str, indent: int, part: str = ""
    ) -> None:
        path = f"{parent}/{argument.name}" if parent else argument.name
        body = self._entry(argument.name, path, indent, _rst_signature(argument))
        self._doc(body, argument.doc, part, argument.name)
        self._children(argument, path, body, part)

    def _doc(self, indent: int, doc: str, part: str, own: str) -> None:
        if doc:
            self._add(indent, self._links.link(doc, part, own), "")

    def _children(self, argument: Argument, path: str, indent: int, part: str) -> None:
        if argument.fold_subdoc:
            return
        for field in argument.sub_fields.values():
            self.argument(field, path, indent, part)
        for variant in argument.sub_variants.values():
            self._variant(variant, path, indent)

    def _variant(self, variant: Variant, parent: str, indent: int) -> None:
        flag = variant.flag_name
        flag_path = f"{parent}/{flag}"
        choices = {name: f"{parent}[{name}]" for name in variant.choice_dict}
        self._add(indent, f"Which further keys are accepted depends on ``{flag}``.", "")
        signature = "| type: ``str`` (flag key)"
        if variant.optional:
            signature += f", default: ``{json.dumps(variant.default_tag)}``"
        listed = ", ".join(f"|code:{path}|_" for path in choices.values())
        body = self._entry(
            flag, flag_path, indent, signature, f"| possible choices: {listed}"
        )
        self._doc(body, variant.doc, "", flag)
        for name, choice in variant.choice_dict.items():
            doc = self._links.link(choice.doc, name, "")
            self._add(body, f"* |code:{choices[name]}|_: {doc}")
            self._definitions += _literal_link("code", choices[name], name)
        self._add(body, "")
        self._definitions += _literal_link("flag", flag_path, flag)
        for name, choice in variant.choice_dict.items():
            self._add(indent, f".. _`{choices[name]}`:", "")
            self._add(indent, f"When |flag:{flag_path}|_ is set to ``{name}``:", "")
            self._doc(indent, choice.doc, name, "")
            self._children(choice, choices[name], indent, name)


def _rst_signature(argument: Argument) -> str:
    types = " or ".join(f"``{_type_name(dtype)}``" for dtype in argument.dtype)
    if not argument.optional:
        return f"| type: {types}"
    if dict in argument.dtype:
        return f"| type: {types}, optional"
    return f"| type: {types}, optional, default: ``{json.dumps(argument.default)}``"


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
        text += f", default `{json.dumps(argument.default)}`"
    return text


def _type_name(dtype: Any) -> str:
    return "null" if dtype is type(None) else dtype.__name__
