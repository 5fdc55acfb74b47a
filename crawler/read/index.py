"""CSS selection over one walk of the page.

libxml2 answers a CSS selector (as XPath) by listing every element under the
root and testing each one: 0.1–0.5 ms a selector on a real franceinfo page, and
a page object asks a few dozen. `ElementIndex` walks the tree once and files
each element under its class names; a selector is then answered left to right
from the entries its parts name (`.c-body figure img`: the one `.c-body`, the
figures under it by tag, their images), so no selector walks the page again.
Selectors with parts it does not know (pseudo-classes, `~`) go to XPath: every
selector works, and the answers are the same (tests/read/test_element_index.py
checks both ways on every selector the page objects use, over every saved page).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property, lru_cache

from cssselect import parse
from cssselect.parser import Attrib, Class, CombinedSelector, Element, Hash, Negation, Tree
from lxml import etree

_COMBINATORS = {" ", ">", "+"}
_OPERATORS = {"exists", "=", "~=", "^=", "$=", "*=", "|="}


class Unsupported(Exception):
    """A selector part the index does not answer; XPath does."""


class ElementIndex:
    """The elements under `root` by class name and id, and their document order."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        elements = list(root.iter(etree.Element))
        self.position: dict[etree._Element, int] = {element: position for position, element in enumerate(elements)}
        self.by_class: defaultdict[str, list[etree._Element]] = defaultdict(list)
        for element in elements:
            classes = element.get("class")
            if classes:
                names = classes.split()
                for name in names if len(names) == 1 else dict.fromkeys(names):  # class="a a" once
                    self.by_class[name].append(element)

    @cached_property
    def by_id(self) -> dict[str, list[etree._Element]]:
        """Filed on the first `#id` asked of the whole root (old-template pages)."""
        by_id: defaultdict[str, list[etree._Element]] = defaultdict(list)
        for element in self.position:
            element_id = element.get("id")
            if element_id:
                by_id[element_id].append(element)
        return by_id

    def covers(self, node: etree._Element) -> bool:
        return node in self.position

    def select(self, selector: str, scope: etree._Element) -> list[etree._Element]:
        """Elements under `scope` (itself included) matching `selector`, in document
        order; raises `Unsupported` for selectors it can't answer."""
        trees = parsed(selector)
        if len(trees) == 1:
            return self._select(trees[0], scope)
        return self._in_order(element for tree in trees for element in self._select(tree, scope))

    def _select(self, tree: Tree, scope: etree._Element) -> list[etree._Element]:
        """Left to right: what the left part finds, then the right part around each."""
        if not isinstance(tree, CombinedSelector):
            return self._under(scope, tree, include_self=True)
        lefts = self._select(tree.selector, scope)
        if tree.combinator == " ":
            found = [element for left in lefts for element in self._under(left, tree.subselector)]
        elif tree.combinator == ">":
            found = [child for left in lefts for child in left.iterchildren(etree.Element)]
            found = [child for child in found if matches(child, tree.subselector)]
        else:
            found = [after for left in lefts if (after := _next_element(left)) is not None]
            found = [after for after in found if matches(after, tree.subselector)]
        return self._in_order(found) if len(lefts) > 1 else found

    def _under(self, node: etree._Element, compound: Tree, include_self: bool = False) -> list[etree._Element]:
        """Descendants of `node` matching a compound (no combinator), from the index
        entry of its class or id when it names one, else by tag."""
        entries = self._entries(compound, whole=node is self.root)
        if entries is None:
            tag = _tag(compound)
            entries = node.iter(tag) if tag else node.iter(etree.Element)
        elif node is not self.root:
            entries = [element for element in entries if _within(element, node)]
        return [element for element in entries if (include_self or element is not node) and matches(element, compound)]

    def _entries(self, compound: Tree, whole: bool) -> list[etree._Element] | None:
        """The index entry a compound names (a class; an id, when asked of the whole
        root), or None: then its tag, or every element under the node, is where to look."""
        part = compound
        while not isinstance(part, Element):
            if isinstance(part, Class):
                return self.by_class.get(part.class_name, [])
            if isinstance(part, Hash) and whole:
                return self.by_id.get(part.id, [])
            part = part.selector
        return None

    def _in_order(self, elements: Iterable[etree._Element]) -> list[etree._Element]:
        """Document order; an element outside the root (the root's own sibling) first."""
        return sorted(set(elements), key=lambda element: self.position.get(element, -1))


def _tag(compound: Tree) -> str | None:
    while not isinstance(compound, Element):
        compound = compound.selector
    return compound.element if compound.element not in (None, "*") else None


@lru_cache(maxsize=512)
def parsed(selector: str) -> tuple[Tree, ...]:
    """The selector's parse trees; `Unsupported` when a part is beyond `matches`."""
    items = parse(selector)
    if any(item.pseudo_element for item in items):
        raise Unsupported(selector)
    trees = tuple(item.parsed_tree for item in items)
    for tree in trees:
        _check(tree, selector)
    return trees


def _check(tree: Tree, selector: str, compound: bool = False) -> None:
    """Combinators only between compounds (not inside `:not()`); no namespaces,
    pseudo-classes, or attribute flags."""
    if isinstance(tree, CombinedSelector) and not compound and tree.combinator in _COMBINATORS:
        _check(tree.selector, selector)
        _check(tree.subselector, selector, compound=True)
    elif isinstance(tree, Element) and not tree.namespace:
        pass
    elif isinstance(tree, Negation):
        _check(tree.selector, selector, compound=True)
        _check(tree.subselector, selector, compound=True)
    elif isinstance(tree, (Class, Hash)) or (
        isinstance(tree, Attrib) and not (tree.namespace or tree.flag) and tree.operator in _OPERATORS
    ):
        _check(tree.selector, selector, compound=True)
    else:
        raise Unsupported(selector)


def matches(element: etree._Element, compound: Tree) -> bool:
    """Whether `element` matches a compound selector (tag, classes, id, attributes, `:not`)."""
    if isinstance(compound, Element):
        return compound.element in (None, "*") or element.tag == compound.element
    if isinstance(compound, Class):
        return compound.class_name in (element.get("class") or "").split() and matches(element, compound.selector)
    if isinstance(compound, Hash):
        return element.get("id") == compound.id and matches(element, compound.selector)
    if isinstance(compound, Attrib):
        return _attribute_matches(element.get(compound.attrib), compound) and matches(element, compound.selector)
    return matches(element, compound.selector) and not matches(element, compound.subselector)


def _attribute_matches(value: str | None, tree: Attrib) -> bool:
    if value is None:
        return False
    if tree.operator == "exists":
        return True
    wanted = tree.value.value
    if tree.operator == "=":
        return value == wanted
    if tree.operator == "~=":
        return wanted in value.split()
    if not wanted:  # `[a^='']` and the like match nothing, as in XPath's translation
        return False
    if tree.operator == "^=":
        return value.startswith(wanted)
    if tree.operator == "$=":
        return value.endswith(wanted)
    if tree.operator == "*=":
        return wanted in value
    return value == wanted or value.startswith(wanted + "-")


def _next_element(element: etree._Element) -> etree._Element | None:
    following = element.getnext()
    while following is not None and not isinstance(following.tag, str):
        following = following.getnext()
    return following


def _within(element: etree._Element, scope: etree._Element) -> bool:
    return element is scope or any(ancestor is scope for ancestor in element.iterancestors())
