"""A Zotero database built from Zotero's own schema files (tests/data/zotero/system.sql and
userdata.sql, see its README) and filled through SQL the way Zotero stores items: values
de-duplicated in itemDataValues, creators shared, dates as "2024-05-00 May 2024", attachments
as child items with `storage:NAME` paths. Used by tests and by benchmarks/bench_zotero.py."""

from __future__ import annotations

import random
import sqlite3
import string
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA = Path(__file__).parent / "data" / "zotero"
#: Item types and fields as Zotero's global schema names them (the ids are this file's own:
#: Zotero assigns them from its schema JSON, and paperqa looks them up by name).
ITEM_TYPES = ["note", "attachment", "annotation", "journalArticle", "preprint", "conferencePaper",
              "bookSection", "thesis", "report", "webpage"]  # fmt: skip
FIELDS = ["title", "abstractNote", "date", "DOI", "url", "publicationTitle", "proceedingsTitle", "bookTitle",
          "university", "institution", "repository", "archiveID", "extra", "accessDate"]  # fmt: skip
CREATOR_TYPES = ["author", "editor", "contributor"]


def key(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(8))


@dataclass
class ZoteroDB:
    """A Zotero data directory under construction: `add` items, `change`, `delete`, `trash`."""

    folder: Path
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / "zotero.sqlite"
        db = self.connect()
        db.executescript((SCHEMA / "system.sql").read_text())
        db.executescript((SCHEMA / "userdata.sql").read_text())
        db.executemany(
            "INSERT INTO version VALUES (?, ?)", [("system", 32), ("userdata", 129), ("globalSchema", 32)]
        )
        db.executemany("INSERT INTO itemTypes (itemTypeID, typeName) VALUES (?, ?)", enumerate(ITEM_TYPES, 1))
        db.executemany("INSERT INTO fields (fieldID, fieldName) VALUES (?, ?)", enumerate(FIELDS, 1))
        db.executemany(
            "INSERT INTO creatorTypes (creatorTypeID, creatorType) VALUES (?, ?)", enumerate(CREATOR_TYPES, 1)
        )
        db.execute(
            "INSERT INTO libraries (libraryID, type, editable, filesEditable) VALUES (1, 'user', 1, 1)"
        )
        db.commit()
        db.close()

    def connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path)

    def library(self, kind: str, group_id: int | None = None, name: str = "") -> int:
        with self.connect() as db:
            cur = db.execute(
                "INSERT INTO libraries (type, editable, filesEditable) VALUES (?, 1, 1)", (kind,)
            )
            library_id = int(cur.lastrowid or 0)
            if kind == "group":
                db.execute("INSERT INTO groups VALUES (?, ?, ?, '', 0)", (group_id, library_id, name))
            if kind == "feed":
                db.execute(
                    "INSERT INTO feeds (libraryID, name, url) VALUES (?, ?, ?)",
                    (library_id, name, f"https://x/{name}"),
                )
        return library_id

    def collection(self, name: str, parent: int | None = None, library_id: int = 1) -> int:
        with self.connect() as db:
            cur = db.execute(
                "INSERT INTO collections (collectionName, parentCollectionID, libraryID, key) "
                "VALUES (?, ?, ?, ?)",
                (name, parent, library_id, key(self.rng)),
            )
            return int(cur.lastrowid or 0)

    def add(
        self,
        item_type: str = "journalArticle",
        fields: dict[str, str] | None = None,
        creators: list[tuple[str, str | None, str]] = (),  # type: ignore[assignment]
        tags: list[str] = (),  # type: ignore[assignment]
        collections: list[int] = (),  # type: ignore[assignment]
        library_id: int = 1,
        pdf: str | None = None,
    ) -> int:
        """An item, with its fields, creators ((last, first or None for one field, type)),
        tags, collections and an attached PDF stored under storage/<key>/."""
        with self.connect() as db:
            item_id = self._item(db, item_type, library_id)
            for name, value in (fields or {}).items():
                self._set(db, item_id, name, value)
            for order, (last, first, kind) in enumerate(creators):
                mode = 1 if first is None else 0
                db.execute("INSERT OR IGNORE INTO creators (firstName, lastName, fieldMode) VALUES (?, ?, ?)",
                           (first or "", last, mode))  # fmt: skip
                (creator_id,) = db.execute(
                    "SELECT creatorID FROM creators WHERE firstName = ? AND lastName = ? AND fieldMode = ?",
                    (first or "", last, mode),
                ).fetchone()
                type_id = CREATOR_TYPES.index(kind) + 1
                db.execute(
                    "INSERT INTO itemCreators VALUES (?, ?, ?, ?)", (item_id, creator_id, type_id, order)
                )
            for tag in tags:
                db.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)", (tag,))
                (tag_id,) = db.execute("SELECT tagID FROM tags WHERE name = ?", (tag,)).fetchone()
                db.execute("INSERT INTO itemTags VALUES (?, ?, 0)", (item_id, tag_id))
            for collection_id in collections:
                db.execute(
                    "INSERT INTO collectionItems (collectionID, itemID) VALUES (?, ?)",
                    (collection_id, item_id),
                )
            if pdf is not None:
                attachment = self._item(db, "attachment", library_id)
                (attachment_key,) = db.execute(
                    "SELECT key FROM items WHERE itemID = ?", (attachment,)
                ).fetchone()
                db.execute(
                    "INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path) "
                    "VALUES (?, ?, 0, ?, ?)",
                    (attachment, item_id, "application/pdf", f"storage:{pdf}"),
                )
                stored = self.folder / "storage" / attachment_key / pdf
                stored.parent.mkdir(parents=True, exist_ok=True)
                stored.write_bytes(b"%PDF-1.4\n% a stand-in\n%%EOF\n")
        return item_id

    def note(self, parent: int, text: str) -> None:
        with self.connect() as db:
            note_id = self._item(db, "note", 1)
            db.execute("INSERT INTO itemNotes (itemID, parentItemID, note, title) VALUES (?, ?, ?, ?)",
                       (note_id, parent, text, text[:20]))  # fmt: skip

    def change(self, item_id: int, name: str, value: str) -> None:
        with self.connect() as db:
            self._set(db, item_id, name, value)
            db.execute(
                "UPDATE items SET dateModified = CURRENT_TIMESTAMP, version = version + 1 WHERE itemID = ?",
                (item_id,),
            )

    def trash(self, item_id: int) -> None:
        with self.connect() as db:
            db.execute("INSERT INTO deletedItems (itemID) VALUES (?)", (item_id,))

    def delete(self, item_id: int) -> None:
        with self.connect() as db:
            for table in ("itemData", "itemCreators", "itemTags", "collectionItems"):
                db.execute(f"DELETE FROM {table} WHERE itemID = ?", (item_id,))
            db.execute("DELETE FROM items WHERE itemID = ?", (item_id,))

    def _item(self, db: sqlite3.Connection, item_type: str, library_id: int) -> int:
        cur = db.execute("INSERT INTO items (itemTypeID, libraryID, key) VALUES (?, ?, ?)",
                         (ITEM_TYPES.index(item_type) + 1, library_id, key(self.rng)))  # fmt: skip
        return int(cur.lastrowid or 0)

    def _set(self, db: sqlite3.Connection, item_id: int, name: str, value: str) -> None:
        db.execute("INSERT OR IGNORE INTO itemDataValues (value) VALUES (?)", (value,))
        (value_id,) = db.execute("SELECT valueID FROM itemDataValues WHERE value = ?", (value,)).fetchone()
        db.execute(
            "INSERT OR REPLACE INTO itemData VALUES (?, ?, ?)", (item_id, FIELDS.index(name) + 1, value_id)
        )
