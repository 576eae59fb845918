"""A Zotero library read in place: a database built from Zotero's own schema files, a real
`zotero.sqlite` from a public repository, collections and tags, sync (add, change, delete,
--prune), and the databases paperqa must refuse, with the library left as it was."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from paperqa.errors import IngestError
from paperqa.ingest.loaders import load_paths
from paperqa.ingest.loaders.zotero import ZoteroSelection, zotero_date
from paperqa.library import Library
from paperqa.settings import Settings

from .conftest import DATA
from .zotero_db import ZoteroDB

REAL = DATA / "zotero" / "real-unlicense.sqlite"
ABSTRACT = "We study {} at length, with experiments and results about {} that matter."


def paper_fields(title: str, **more: str) -> dict[str, str]:
    return {"title": title, "abstractNote": ABSTRACT.format(title.lower(), title.lower()), **more}


@pytest.fixture
def zotero(tmp_path: Path) -> ZoteroDB:
    """A Zotero data directory with one item of each type researchers keep, and the things
    that are not papers: a note, an item in the trash, a feed item."""
    z = ZoteroDB(tmp_path / "Zotero")
    reading = z.collection("Reading list")
    nlp = z.collection("NLP", parent=reading)
    z.add("journalArticle", paper_fields("Über Transformers für Sprache", date="2024-05-00 May 2024",
          publicationTitle="Journal of Ünicode Studies", DOI="10.1234/JUS.2024.1"),
          creators=[("Müller", "Jürgen", "author"), ("Ødegård", "Åsa", "author"), ("Editor", "Ed", "editor")],
          tags=["transformers", "NLP"], collections=[nlp], pdf="Müller 2024.pdf")  # fmt: skip
    z.add("preprint", paper_fields("A Preprint on Retrieval", date="2023-11-07 2023-11-07",
          archiveID="arXiv:2311.01234", repository="arXiv", url="http://arxiv.org/abs/2311.01234"),
          creators=[("Chen", "Li", "author")], tags=["retrieval"], collections=[reading])  # fmt: skip
    z.add("conferencePaper", paper_fields("Conference Work on Parsing", date="2022-00-00 2022",
          proceedingsTitle="Proceedings of ACL 2022"),
          creators=[("Association for Computational Linguistics", None, "author")])  # fmt: skip
    z.add("bookSection", paper_fields("A Chapter on Semantics", bookTitle="Handbook of Meaning", date="2021"))
    z.add(
        "thesis",
        paper_fields(
            "A Thesis on Tagging", university="Universität Zürich", date="2020-09-00 September 2020"
        ),
    )
    z.add("report", paper_fields("A Report on Speech", institution="NIST", date="2019-03-15 15 March 2019"))
    no_abstract = z.add("journalArticle", {"title": "A Paper Without Abstract"})
    z.note(no_abstract, "<p>my note on it</p>")
    trashed = z.add("journalArticle", paper_fields("A Trashed Paper"))
    z.trash(trashed)
    feed = z.library("feed", name="arxiv-cs")
    z.add("journalArticle", paper_fields("A Feed Item"), library_id=feed)
    group = z.library("group", group_id=4242, name="Lab")
    z.add("journalArticle", paper_fields("A Group Paper"), library_id=group, tags=["lab"])
    return z


def by_title(papers):  # type: ignore[no-untyped-def]
    return {p.title: p for p in papers}


def test_every_field_is_read_by_name(zotero: ZoteroDB) -> None:
    loaded = load_paths([zotero.folder])
    papers = by_title(loaded.papers)
    assert set(papers) == {
        "Über Transformers für Sprache",
        "A Preprint on Retrieval",
        "Conference Work on Parsing",
        "A Chapter on Semantics",
        "A Thesis on Tagging",
        "A Report on Speech",
        "A Group Paper",
    }  # fmt: skip  (not the trash, the feed, the note, or the item without an abstract)
    article = papers["Über Transformers für Sprache"]
    assert article.authors == ["Jürgen Müller", "Åsa Ødegård"]  # authors, in order; not the editor
    assert (article.date, article.date_precision) == (dt.date(2024, 5, 1), "month")
    assert article.doi == "10.1234/jus.2024.1" and article.venue == "Journal of Ünicode Studies"
    assert article.tags == ["transformers", "NLP"] and article.collections == ["Reading list / NLP"]
    assert (
        len(article.files) == 1
        and article.files[0].endswith("Müller 2024.pdf")
        and Path(article.files[0]).is_file()
    )
    assert article.zotero and article.zotero.startswith("zotero://select/library/items/")
    assert article.source and article.source.format == "zotero"
    preprint = papers["A Preprint on Retrieval"]
    assert preprint.arxiv_id == "2311.01234" and preprint.id == "arxiv:2311.01234"
    assert papers["Conference Work on Parsing"].authors == ["Association for Computational Linguistics"]
    assert papers["Conference Work on Parsing"].venue == "Proceedings of ACL 2022"
    assert papers["Conference Work on Parsing"].date_precision == "year"
    assert papers["A Thesis on Tagging"].venue == "Universität Zürich"
    assert papers["A Report on Speech"].date == dt.date(2019, 3, 15)
    assert papers["A Group Paper"].zotero.startswith("zotero://select/groups/4242/items/")  # type: ignore[union-attr]
    assert [s.kind for s in loaded.skipped] == ["no abstract"]
    assert any("attached PDF recorded, not read" in w for w in loaded.warnings)


def test_collections_with_their_subcollections_and_tags_choose_items(zotero: ZoteroDB) -> None:
    def titles(**chosen: tuple[str, ...]) -> set[str]:
        return set(by_title(load_paths([zotero.path], zotero_selection=ZoteroSelection(**chosen)).papers))

    assert titles(collections=("reading list",)) == {
        "Über Transformers für Sprache",
        "A Preprint on Retrieval",
    }
    assert titles(collections=("NLP",)) == {"Über Transformers für Sprache"}
    assert titles(tags=("Retrieval", "lab")) == {"A Preprint on Retrieval", "A Group Paper"}
    assert titles(collections=("Reading list",), tags=("transformers",)) == {"Über Transformers für Sprache"}
    with pytest.raises(IngestError, match="no Zotero collection named nope.*Reading list"):
        load_paths([zotero.path], zotero_selection=ZoteroSelection(collections=("nope",)))


def test_a_real_zotero_database_from_a_public_repository() -> None:
    loaded = load_paths([REAL])
    papers = by_title(loaded.papers)
    assert len(papers) == 5 and not loaded.skipped
    bcn = next(p for t, p in papers.items() if t.startswith("Defect states induced"))
    assert bcn.doi == "10.1016/j.apsusc.2021.149982" and bcn.venue == "Applied Surface Science"
    assert bcn.authors[:2] == ["Manjot Kaur", "Rameez Ahmad Mir"] and bcn.date == dt.date(2021, 9, 1)
    assert "BCN" in bcn.tags and bcn.collections == ["Boron-Nitride"]
    # its PDFs are not in the public copy: reported, never silently dropped
    assert any("attached files not found" in w for w in loaded.warnings)


def test_a_running_zotero_is_neither_locked_nor_changed(zotero: ZoteroDB) -> None:
    before = zotero.path.read_bytes()
    writer = sqlite3.connect(zotero.path, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")  # Zotero in the middle of a write
    writer.execute("UPDATE items SET version = version + 1")
    try:
        assert len(load_paths([zotero.folder]).papers) == 7
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert zotero.path.read_bytes() == before


@pytest.mark.slow
def test_sync_follows_the_zotero_library_exactly(zotero: ZoteroDB, tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    library = Library(Settings(home=tmp_path / "lib"), embedder=embedder)
    first = library.ingest([zotero.folder])
    assert len(first.added) == 7
    same = library.ingest([zotero.folder])
    assert not same.added and not same.updated and len(same.unchanged) == 7
    new = zotero.add("journalArticle", paper_fields("A New Paper on Agents"))
    thesis = next(p for p in library.papers() if p.title == "A Thesis on Tagging")
    zotero.change(
        next(i for i, t in _titles(zotero).items() if t == "A Thesis on Tagging"), "abstractNote",
        "We revisit tagging with a new method and report what changed.",
    )  # fmt: skip
    zotero.delete(next(i for i, t in _titles(zotero).items() if t == "A Report on Speech"))
    second = library.ingest([zotero.folder])
    assert len(second.added) == 1 and second.updated == [thesis.id] and not second.removed
    assert any(p.title == "A Report on Speech" for p in library.papers())  # kept without --prune
    pruned = library.ingest([zotero.folder], prune=True)
    assert [library_title for library_title in pruned.removed] and len(pruned.removed) == 1
    titles = sorted(p.title for p in library.papers())
    assert "A Report on Speech" not in titles and "A New Paper on Agents" in titles
    assert len(titles) == len(set(titles)) == 7  # nothing duplicated
    # a collection chosen later: --prune removes what left the selection, nothing else
    chosen = library.ingest(
        [zotero.folder], zotero=ZoteroSelection(collections=("Reading list",)), prune=True
    )
    assert len(chosen.removed) == 5 and {p.title for p in library.papers()} == {
        "Über Transformers für Sprache",
        "A Preprint on Retrieval",
    }
    assert new  # the new item's id was used


def _titles(zotero: ZoteroDB) -> dict[int, str]:
    with zotero.connect() as db:
        return dict(
            db.execute(
                "SELECT d.itemID, v.value FROM itemData d JOIN fields f USING (fieldID) "
                "JOIN itemDataValues v USING (valueID) WHERE f.fieldName = 'title'"
            ).fetchall()
        )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("not a database at all\n" * 100), "not a Zotero database"),
        (
            lambda p: sqlite3.connect(p).execute("CREATE TABLE x (y)").connection.commit(),
            "not a Zotero database",
        ),
        (lambda p: p.write_bytes(REAL.read_bytes()[:50_000]), "not a Zotero database, or a damaged one"),
    ],
)
def test_what_is_not_a_zotero_database_is_refused_and_nothing_is_lost(
    make, message, tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    library = Library(Settings(home=tmp_path / "lib"), embedder=embedder)
    library.ingest([REAL])
    bad = tmp_path / "zotero.sqlite"
    make(bad)
    with pytest.raises(IngestError, match=message):
        library.ingest([bad])
    assert library.stats().papers == 5


def test_an_old_zotero_schema_is_named(tmp_path: Path) -> None:
    old = tmp_path / "zotero.sqlite"
    shutil.copy(REAL, old)
    with sqlite3.connect(old) as db:
        db.execute("UPDATE version SET version = 80 WHERE schema = 'userdata'")
    with pytest.raises(IngestError, match="schema version 80"):
        load_paths([old])


def test_date_as_zotero_stores_it() -> None:
    assert zotero_date("2024-05-00 May 2024") == (dt.date(2024, 5, 1), "month")
    assert zotero_date("2024-00-00 2024") == (dt.date(2024, 1, 1), "year")
    assert zotero_date("2024-02-30 nonsense") == (None, None)
    assert zotero_date("") == (None, None)


@pytest.mark.slow
def test_the_cli_reads_a_zotero_folder_with_collection_and_prune(zotero: ZoteroDB, tmp_path: Path) -> None:
    env = {"PAPERQA_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"}
    cli = [sys.executable, "-m", "paperqa.interfaces.cli", "ingest", str(zotero.folder)]
    done = subprocess.run([*cli, "--collection", "NLP"], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "1 added" in done.stdout
    done = subprocess.run(
        [*cli, "--tag", "retrieval", "--prune"], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0 and "1 added" in done.stdout and "Removed 1 papers" in done.stdout, (
        done.stdout
    )
