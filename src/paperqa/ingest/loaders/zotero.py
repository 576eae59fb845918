"""A Zotero library read where it lives: its `zotero.sqlite`, never changed or locked.

The database (with a `-wal` or `-journal` beside it, if Zotero is writing) is copied to a
temporary folder and the copy is read, so a running Zotero is never locked or changed. What
is read, by names (item types, fields and creator types are looked up in the database's own
tables, never by number):

- regular items of the user library and of group libraries (not notes, attachments,
  annotations, feed items or items in the trash);
- their title, abstract, creators (people "First Last"; organisations, stored in one field,
  as written), date (Zotero stores "2024-05-00 May 2024": year and month kept), DOI, venue
  (publication, proceedings, book, university or institution), URL, an arXiv id from the
  URL, DOI, "Archive ID" or "Extra" field, tags and collections;
- their attachments, resolved to files under `storage/` (or linked files): the PDFs among
  them are recorded on the paper; reading them is the whole-papers feature's (until then
  they are reported as not read).

Each paper keeps its Zotero link (`zotero://select/...`), so an answer can open the item.
`ZoteroSelection` chooses collections (with their subcollections) and tags.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from paperqa.errors import IngestError
from paperqa.ingest.loaders.common import (
    LoadNote,
    arxiv_from,
    clean_latex,
    doi_from,
    paper_id,
    squash,
    strip_copyright,
)
from paperqa.text.dates import Precision
from paperqa.types import Paper, SourceRef

FORMAT = "zotero"
#: Zotero's `userdata` schema versions this reader knows: Zotero 5.0 (2017) wrote 95 and
#: later; Zotero 7 (2024-2026) writes up to 129. Older ones have other tables.
OLDEST_SCHEMA = 95
NEWEST_KNOWN_SCHEMA = 129
#: Item types that are not papers.
NOT_PAPERS = ("note", "attachment", "annotation")
#: Fields that name where a paper appeared, in order of preference.
VENUE_FIELDS = (
    "publicationTitle",
    "proceedingsTitle",
    "bookTitle",
    "university",
    "institution",
    "repository",
)
#: Zotero's attachment link modes: files it keeps under storage/, and linked files.
IMPORTED_FILE, IMPORTED_URL, LINKED_FILE = 0, 1, 2


@dataclass(frozen=True)
class ZoteroSelection:
    """Which items of a Zotero library to read: those in any of `collections` (by name, case
    folded; subcollections included) and carrying any of `tags`; empty: no restriction."""

    collections: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.collections or self.tags)


@dataclass
class _Item:
    item_id: int
    key: str
    library_id: int
    type_name: str
    modified: str
    fields: dict[str, str] = field(default_factory=dict)
    creators: list[tuple[str, str]] = field(default_factory=list)  # (creator type, name)
    tags: list[str] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    group: int | None = None  # the group's id, for an item of a group library


def is_zotero(path: Path) -> bool:
    """`path` is a Zotero data directory (holding `zotero.sqlite`) or a `.sqlite` file."""
    return (path.is_dir() and (path / "zotero.sqlite").is_file()) or path.suffix.lower() == ".sqlite"


def database_of(path: Path) -> Path:
    return path / "zotero.sqlite" if path.is_dir() else path


def load(path: Path, selection: ZoteroSelection | None = None) -> Iterator[Paper | IngestError | LoadNote]:
    """The papers of a Zotero database (or data directory). A database paperqa cannot read (not
    Zotero's, a schema it does not know, damaged) raises an `IngestError`; an item without a
    title or an abstract is yielded as one."""
    db = database_of(path)
    with tempfile.TemporaryDirectory(prefix="paperqa-zotero-") as tmp:
        copy = Path(tmp) / "zotero.sqlite"
        try:
            shutil.copyfile(db, copy)
            for suffix in ("-wal", "-journal"):  # what Zotero was writing: applied to the copy only
                if (side := db.with_name(db.name + suffix)).is_file():
                    shutil.copyfile(side, copy.with_name(copy.name + suffix))
        except OSError as exc:
            raise IngestError(f"cannot read the Zotero database: {exc.strerror or exc}", db) from exc
        try:
            connection = sqlite3.connect(copy)
        except sqlite3.Error as exc:
            raise IngestError(f"cannot open the Zotero database: {exc}", db) from exc
        try:
            yield from _read(connection, db, selection or ZoteroSelection())
        except sqlite3.DatabaseError as exc:
            raise IngestError(
                f"not a Zotero database, or a damaged one ({exc}); point paperqa at zotero.sqlite in "
                "your Zotero data directory",
                db,
            ) from exc
        finally:
            connection.close()


def _read(
    db: sqlite3.Connection, path: Path, selection: ZoteroSelection
) -> Iterator[Paper | IngestError | LoadNote]:
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"items", "itemData", "itemDataValues", "fields", "itemTypes", "version"} <= tables:
        raise IngestError("not a Zotero database (no items, itemData and fields tables)", path)
    versions = dict(db.execute("SELECT schema, version FROM version").fetchall())
    schema = versions.get("userdata")
    if schema is None or int(schema) < OLDEST_SCHEMA:
        raise IngestError(
            f"a Zotero database of schema version {schema} (Zotero before 5.0); paperqa reads "
            f"versions {OLDEST_SCHEMA} and later: open it once in a current Zotero, or export BibTeX",
            path,
        )
    if int(schema) > NEWEST_KNOWN_SCHEMA:
        yield LoadNote(
            str(path), f"Zotero schema version {schema} is newer than paperqa knows ({NEWEST_KNOWN_SCHEMA})"
        )
    items = _items(db, selection, path)
    storage = path.parent / "storage"
    for item in items.values():
        yield _paper(item, path, storage)
    unread = sum(len(i.files) for i in items.values())
    if unread:
        yield LoadNote(
            str(path),
            f"{unread} attached PDF{'s' if unread != 1 else ''} recorded, not read (paperqa reads abstracts)",
        )
    missing = [m for i in items.values() for m in i.missing]
    if missing:
        yield LoadNote(str(path), f"{len(missing)} attached files not found, e.g. {missing[0]}")


def _items(db: sqlite3.Connection, selection: ZoteroSelection, path: Path) -> dict[int, _Item]:
    """The selected regular items with everything paperqa reads of them, in a few queries."""
    feeds = _column(db, "SELECT libraryID FROM libraries WHERE type = 'feed'")
    trash = _column(db, "SELECT itemID FROM deletedItems") if _has(db, "deletedItems") else set()
    rows = db.execute(
        f"""SELECT i.itemID, i.key, i.libraryID, t.typeName, i.dateModified
            FROM items i JOIN itemTypes t ON t.itemTypeID = i.itemTypeID
            WHERE t.typeName NOT IN ({",".join("?" * len(NOT_PAPERS))})""",
        NOT_PAPERS,
    ).fetchall()
    groups = (
        dict(db.execute("SELECT libraryID, groupID FROM groups").fetchall()) if _has(db, "groups") else {}
    )
    items = {
        r[0]: _Item(r[0], r[1], r[2], r[3], r[4], group=groups.get(r[2]))
        for r in rows
        if r[0] not in trash and r[2] not in feeds
    }
    chosen = _chosen(db, selection, path)
    if chosen is not None:
        items = {k: v for k, v in items.items() if k in chosen}
    for item_id, name, value in db.execute(
        """SELECT d.itemID, f.fieldName, v.value FROM itemData d
           JOIN fields f ON f.fieldID = d.fieldID JOIN itemDataValues v ON v.valueID = d.valueID"""
    ):
        if item_id in items:
            items[item_id].fields[name] = str(value)
    creators = db.execute(
        """SELECT ic.itemID, ct.creatorType, c.firstName, c.lastName, c.fieldMode FROM itemCreators ic
           JOIN creators c ON c.creatorID = ic.creatorID
           LEFT JOIN creatorTypes ct ON ct.creatorTypeID = ic.creatorTypeID
           ORDER BY ic.itemID, ic.orderIndex"""
    )
    for item_id, kind, first, last, mode in creators:
        if item_id in items:
            name = (last or "") if mode == 1 else " ".join(p for p in (first, last) if p)
            items[item_id].creators.append((kind or "author", squash(name)))
    for item_id, tag in db.execute(
        "SELECT it.itemID, t.name FROM itemTags it JOIN tags t ON t.tagID = it.tagID"
    ):
        if item_id in items:
            items[item_id].tags.append(str(tag))
    paths = _collection_paths(db)
    for collection_id, item_id in db.execute("SELECT collectionID, itemID FROM collectionItems"):
        if item_id in items and collection_id in paths:
            items[item_id].collections.append(paths[collection_id])
    _attachments(db, items, path.parent / "storage", trash)
    return items


def _chosen(db: sqlite3.Connection, selection: ZoteroSelection, path: Path) -> set[int] | None:
    """Ids of the items the selection keeps (None: all)."""
    if not selection:
        return None
    chosen: set[int] | None = None
    if selection.collections:
        names = {c.casefold() for c in selection.collections}
        rows = db.execute(
            "SELECT collectionID, collectionName, parentCollectionID FROM collections"
        ).fetchall()
        found = {r[0] for r in rows if str(r[1]).casefold() in names}
        unknown = names - {str(r[1]).casefold() for r in rows}
        if unknown:
            known = ", ".join(sorted({str(r[1]) for r in rows})[:20]) or "none"
            raise IngestError(
                f"no Zotero collection named {', '.join(sorted(unknown))} (collections: {known})", path
            )
        children: dict[int, list[int]] = {}
        for collection_id, _, parent in rows:
            if parent is not None:
                children.setdefault(parent, []).append(collection_id)
        todo = list(found)
        while todo:  # subcollections too
            for child in children.get(todo.pop(), []):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        marks = ",".join("?" * len(found))
        chosen = _column(
            db, f"SELECT itemID FROM collectionItems WHERE collectionID IN ({marks})", tuple(found)
        )
    if selection.tags:
        tags = tuple(t.casefold() for t in selection.tags)
        marks = ",".join("?" * len(tags))
        tagged = _column(
            db,
            "SELECT it.itemID FROM itemTags it JOIN tags t ON t.tagID = it.tagID "
            f"WHERE lower(t.name) IN ({marks})",
            tags,
        )
        chosen = tagged if chosen is None else chosen & tagged
    return chosen


def _collection_paths(db: sqlite3.Connection) -> dict[int, str]:
    """Collection id -> its path ("Reading list / Transformers")."""
    rows = {
        r[0]: (str(r[1]), r[2])
        for r in db.execute("SELECT collectionID, collectionName, parentCollectionID FROM collections")
    }
    out = {}
    for cid in rows:
        parts, at, seen = [], cid, set()
        while at in rows and at not in seen:
            seen.add(at)
            parts.append(rows[at][0])
            at = rows[at][1]
        out[cid] = " / ".join(reversed(parts))
    return out


def _attachments(db: sqlite3.Connection, items: dict[int, _Item], storage: Path, trash: set[int]) -> None:
    """PDF attachments resolved to files: `storage:NAME` under storage/<attachment key>/, a
    linked file by its path (relative ones, `attachments:...`, are left as not found)."""
    rows = db.execute(
        """SELECT a.itemID, a.parentItemID, a.linkMode, a.contentType, a.path, i.key FROM itemAttachments a
           JOIN items i ON i.itemID = a.itemID"""
    )
    for attachment_id, parent, mode, content_type, stored, key in rows:
        if parent not in items or attachment_id in trash or not stored or content_type != "application/pdf":
            continue
        if mode in (IMPORTED_FILE, IMPORTED_URL) and str(stored).startswith("storage:"):
            file = storage / key / str(stored)[len("storage:") :]
        elif mode == LINKED_FILE and not str(stored).startswith("attachments:"):
            file = Path(str(stored))
        else:
            items[parent].missing.append(str(stored))
            continue
        if file.is_file():
            items[parent].files.append(file)
        else:
            items[parent].missing.append(str(file))


def _paper(item: _Item, path: Path, storage: Path) -> Paper | IngestError:
    f = item.fields
    title, abstract = f.get("title", "").strip(), f.get("abstractNote", "").strip()
    where = f"item {item.key}"
    if not title:
        return IngestError(f"{where} has no title", path, kind="no title", key=item.key)
    if not abstract:
        return IngestError(
            f"{where} has no abstract; paperqa searches abstracts", path, kind="no abstract", key=item.key
        )
    doi_ = doi_from(f.get("DOI"), f.get("url"), f.get("extra"))
    arxiv = arxiv_from(f.get("archiveID"), f.get("url"), *f.get("extra", "").split(), doi_)
    date, precision = zotero_date(f.get("date", ""))
    authors = [n for kind, n in item.creators if kind == "author" and n] or [n for _, n in item.creators if n]
    clean_title, clean_abstract = clean_latex(title), strip_copyright(clean_latex(abstract))
    return Paper(
        id=paper_id(clean_title, arxiv, doi_),
        title=clean_title,
        abstract=clean_abstract,
        abstract_raw=abstract if squash(abstract) != clean_abstract else None,
        authors=list(dict.fromkeys(authors)),
        date=date,
        date_precision=precision,
        doi=doi_,
        arxiv_id=arxiv,
        venue=next((squash(f[v]) for v in VENUE_FIELDS if f.get(v, "").strip()), None),
        url=f.get("url") or (f"https://doi.org/{doi_}" if doi_ else None),
        tags=list(dict.fromkeys(item.tags)),
        collections=sorted(set(item.collections)),
        files=[str(p) for p in item.files],
        zotero=zotero_link(item),
        source=SourceRef(path=str(path), line=None, format=FORMAT),
    )


def zotero_link(item: _Item) -> str:
    """`zotero://select/...` for the item: what Zotero opens from a link in another program."""
    if item.group is not None:
        return f"zotero://select/groups/{item.group}/items/{item.key}"
    return f"zotero://select/library/items/{item.key}"


def zotero_date(value: str) -> tuple[dt.date | None, Precision]:
    """(date, precision) from Zotero's stored form "2024-05-00 May 2024" (a SQL date with 00
    for what is unknown, then the date as entered)."""
    head = value.strip()[:10]
    parts = head.split("-")
    if len(parts) != 3 or not all(p.isdecimal() for p in parts) or int(parts[0]) < 1:
        return None, None
    year, month, day = (int(p) for p in parts)
    try:
        if month == 0:
            return dt.date(year, 1, 1), "year"
        if day == 0:
            return dt.date(year, month, 1), "month"
        return dt.date(year, month, day), None
    except ValueError:
        return None, None


def _has(db: sqlite3.Connection, table: str) -> bool:
    return (
        db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
        is not None
    )


def _column(db: sqlite3.Connection, sql: str, args: Sequence[object] = ()) -> set[int]:
    return {r[0] for r in db.execute(sql, tuple(args))}
