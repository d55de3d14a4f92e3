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
    from collections.abc import Callable

    from dargs import Argument, Variant

Format = Literal["md", "rst"]


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


def markdown_reference(argument: Argument) -> str:
    """Markdown: one heading per key, its type, default and documentation."""
    return _MarkdownWriter().reference(argument)


class _ReferenceWriter:
    """Writes the section in the order of the reference, through the parts a
    subclass writes in its markup: the section and its common keys, then
    the flag of each variant, and for each choice its heading and its keys.

    ``depth`` is that of the key in the ``Argument`` tree (the section 0, a
    choice's key 3); ``part`` is ``""`` for the common keys and the schedule
    type for that type's own keys.
    """

    key: Callable[[Argument, str, int, str], None]
    flag: Callable[[Variant, str], None]
    choice: Callable[[str, str, str, str], None]

    def __init__(self) -> None:
        self.lines: list[str] = []

    def reference(self, section: Argument) -> str:
        """The reference of ``section``, as text."""
        self.write(section)
        return "\n".join(self.lines).rstrip() + "\n"

    def write(self, section: Argument) -> None:
        name = section.name
        self.key(section, name, 0, "")
        if section.fold_subdoc:
            return
        for field in section.sub_fields.values():
            self.key(field, f"{name}/{field.name}", 1, "")
        for variant in section.sub_variants.values():
            self.flag(variant, name)
            for choice_name, choice in variant.choice_dict.items():
                self.choice(variant.flag_name, choice_name, choice.doc, name)
                choice_path = f"{name}[{choice_name}]"
                for field in choice.sub_fields.values():
                    self.key(field, f"{choice_path}/{field.name}", 3, choice_name)


class _MarkdownWriter(_ReferenceWriter):
    """Markdown, a heading per key one level below what holds it."""

    def _block(self, depth: int, title: str, *body: str, doc: str) -> None:
        self.lines += [f"{'#' * (depth + 1)} {title}", "", *body]
        if doc:
            self.lines += [doc, ""]

    def key(self, argument: Argument, path: str, depth: int, part: str) -> None:
        body = [f"Path: `{path}`  ", _signature(argument, "md"), ""]
        self._block(depth, f"`{argument.name}`", *body, doc=argument.doc)

    def flag(self, variant: Variant, section: str) -> None:
        signature = "Type: `str`, selects the keys below"
        if variant.optional:
            signature += f", optional, default `{variant.default_tag}`"
        choices = ", ".join(f"`{name}`" for name in variant.choice_dict)
        path = f"Path: `{section}/{variant.flag_name}`  "
        body = [path, signature + "  ", f"Choices: {choices}", ""]
        self._block(1, f"`{variant.flag_name}`", *body, doc=variant.doc)

    def choice(self, flag: str, name: str, doc: str, section: str) -> None:
        self._block(2, f"When `{flag}` is `{name}`", doc=doc)


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
    return _RstWriter(_KeyLinks(argument), sphinx_domain).reference(argument)


class _KeyLinks:
    """Turns the key names in a documentation text into links to their entries.

    A name is looked up among the keys of the schedule type being described,
    then among the common keys, then among the keys of a single other type.
    ``type`` is left alone: in prose it is mostly the word, not the key.
    """

    def __init__(self, argument: Argument) -> None:
        section = argument.name
        # The anchor path of each key name, by the part of the section that
        # has it: "" for the common keys and the flags (sub_variants is keyed
        # by flag name), a schedule type for that type's own keys.
        self.paths: dict[str, dict[str, str]] = {}
        for name in [*argument.sub_fields, *argument.sub_variants]:
            self.paths[name] = {"": f"{section}/{name}"}
        for variant in argument.sub_variants.values():
            for choice, sub in variant.choice_dict.items():
                for name in sub.sub_fields:
                    path = f"{section}[{choice}]/{name}"
                    self.paths.setdefault(name, {})[choice] = path
        linkable = sorted(self.paths.keys() - {"type"}, key=len, reverse=True)
        self._word = re.compile(
            r"(?<![\w`|/\[])(" + "|".join(map(re.escape, linkable)) + r")(?![\w`|/\]])"
        )
        self.linked: set[str] = set()

    def link(self, text: str, part: str, own: str) -> str:
        """``text`` of the key ``own`` (``""`` for none) of the part ``part``,
        with its mentions of other keys linked and of ``own`` set as literal."""

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            parts = self.paths[name]
            found = [p for p in (part, "") if p in parts]
            if not found and len(parts) == 1:
                found = list(parts)
            if not found:
                return name
            if name == own and found[0] == part:
                return f"``{name}``"
            path = parts[found[0]]
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


class _RstWriter(_ReferenceWriter):
    """reStructuredText: every key in the section's body, and each key's
    body indented below its title."""

    def __init__(self, links: _KeyLinks, sphinx_domain: bool) -> None:
        super().__init__()
        self._links = links
        self._sphinx_domain = sphinx_domain
        self._definitions: list[str] = []

    def write(self, section: Argument) -> None:
        super().write(section)
        self.lines += ["", *self._definitions, *self._links.definitions()]

    def _add(self, indent: int, *lines: str) -> None:
        self.lines += [" " * indent + line if line else "" for line in lines]

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

    def _doc(self, indent: int, doc: str, part: str, own: str) -> None:
        if doc:
            self._add(indent, self._links.link(doc, part, own), "")

    def key(self, argument: Argument, path: str, depth: int, part: str) -> None:
        indent = 4 if depth else 0
        body = self._entry(argument.name, path, indent, _signature(argument, "rst"))
        self._doc(body, argument.doc, part, argument.name)

    def flag(self, variant: Variant, section: str) -> None:
        flag = variant.flag_name
        flag_path = f"{section}/{flag}"
        choices = {name: f"{section}[{name}]" for name in variant.choice_dict}
        self._add(4, f"Which further keys are accepted depends on ``{flag}``.", "")
        signature = "| type: ``str`` (flag key)"
        if variant.optional:
            signature += f", default: ``{json.dumps(variant.default_tag)}``"
        listed = ", ".join(f"|code:{path}|_" for path in choices.values())
        possible = f"| possible choices: {listed}"
        body = self._entry(flag, flag_path, 4, signature, possible)
        self._doc(body, variant.doc, "", flag)
        for name, choice in variant.choice_dict.items():
            doc = self._links.link(choice.doc, name, "")
            self._add(body, f"* |code:{choices[name]}|_: {doc}")
            self._definitions += _literal_link("code", choices[name], name)
        self._add(body, "")
        self._definitions += _literal_link("flag", flag_path, flag)

    def choice(self, flag: str, name: str, doc: str, section: str) -> None:
        self._add(4, f".. _`{section}[{name}]`:", "")
        self._add(4, f"When |flag:{section}/{flag}|_ is set to ``{name}``:", "")
        self._doc(4, doc, name, "")


_SIGNATURE_MARKUP = {
    "md": ("`", "Type: ", ", required", " "),
    "rst": ("``", "| type: ", "", ": "),
}
"""Per format: the quote of a literal, the words before the types, after
them for a required key, and before a default."""


def _signature(argument: Argument, fmt: str) -> str:
    quote, lead, required, before_default = _SIGNATURE_MARKUP[fmt]
    types = " or ".join(
        f"{quote}{_type_name(dtype)}{quote}" for dtype in argument.dtype
    )
    if not argument.optional:
        return f"{lead}{types}{required}"
    # Every optional key is declared with its default; an object (the
    # section, a schedule's group of keys) has none of its own.
    if dict in argument.dtype:
        return f"{lead}{types}, optional"
    default = json.dumps(argument.default)
    return f"{lead}{types}, optional, default{before_default}{quote}{default}{quote}"


def _type_name(dtype: Any) -> str:
    return "null" if dtype is type(None) else dtype.__name__
