import pytest

from domain.entities.datasets import ColumnType
from domain.errors import ValidationFailed
from domain.services.csv_profile import profile_csv


def test_types_missing_values_and_row_count() -> None:
    data = (
        b"id,score,flag,when,label,empty\n1,0.5,true,2024-01-02,a,\n2,,false,2024-01-03T10:00:00,b,\n3,7,TRUE,,a,NA\n"
    )
    p = profile_csv(data)
    assert p.row_count == 3
    types = {c.name: c.type for c in p.columns}
    assert types == {
        "id": ColumnType.INTEGER,
        "score": ColumnType.NUMBER,
        "flag": ColumnType.BOOLEAN,
        "when": ColumnType.DATETIME,
        "label": ColumnType.STRING,
        "empty": ColumnType.EMPTY,
    }
    missing = {c.name: c.missing for c in p.columns}
    assert missing == {"id": 0, "score": 1, "flag": 0, "when": 1, "label": 0, "empty": 3}
    assert {c.name: c.distinct for c in p.columns}["label"] == 2


def test_bom_and_crlf_are_accepted() -> None:
    p = profile_csv("\ufeffa,b\r\n1,x\r\n".encode())
    assert [c.name for c in p.columns] == ["a", "b"]
    assert p.row_count == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"", "no header"),
        (b"a,a\n1,2\n", "unique"),
        (b"a,b\n1,2,3\n", "Line 2 has 3 fields"),
        (b"a,b\n1,2\n3," + b"x" * (128 * 1024 + 1) + b"\n", r"Line 3: .*longer than 131072 characters"),
        (b"a,b\n1,2\n2,3\n\xff\xfe,1\n", "Line 4: the file is not UTF-8"),
        (b"a,b,label\n", "a header but no data rows"),  # header only: nothing to train on
        (b"a,b,label\n\n\n", "a header but no data rows"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message) as refused:
        profile_csv(data)
    assert refused.value.target == "file"


def test_a_file_is_profiled_as_a_stream() -> None:
    """A file object is read line by line (the upload path hands over a spooled temporary file)."""
    import io

    p = profile_csv(io.BytesIO(b"a,b\n" + b"1,x\n" * 50_000))
    assert p.row_count == 50_000 and [c.type.value for c in p.columns] == ["integer", "string"]
