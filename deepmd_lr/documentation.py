"""The argument reference of the ``learning_rate`` section, as text.

Both formats are rendered from the dargs ``Argument`` returned by
:func:`~deepmd_lr.learning_rate_args`, so they always list exactly the keys
that are checked: reStructuredText through dargs' own ``gen_doc``, Markdown by
walking the same ``Argument`` tree.
"""

from __future__ import annotations

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
    from deepmd_lr.arguments import learning_rate_args

    argument = learning_rate_args()
    if fmt == "md":
        return markdown_reference(argument)
    if fmt == "rst":
        return rst_reference(argument)
    raise ValueError(f"unknown documentation format {fmt!r}; use 'md' or 'rst'")


def rst_reference(argument: Argument) -> str:
    """reStructuredText with an anchor per key and links between them."""
    return argument.gen_doc(make_anchor=True, make_link=True).rstrip() + "\n"


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
    if dtype is None or dtype is type(None):
        return "null"
    return getattr(dtype, "__name__", str(dtype))


def _json_text(value: Any) -> str:
    import json

    return json.dumps(value)
