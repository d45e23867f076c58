"""The draft of a new office (the starter, no report.toml): every field of every starter
form in a sentence with its label, percentages with «%», choices in lower case inside the
sentence, no stray spaces."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.report import compile_draft
from bot.workspace.answers_file import load_answers, read_answers_file
from bot.workspace.load import load_workspace
from domain.forms import FieldType
from domain.periods import Period
from storage import Database
from tests.support.docx_reading import open_docx
from tests.support.offices import init_office

PERIOD = Period(2024, 5)
NOW = datetime(2024, 6, 3, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
TYPED = {
    FieldType.INTEGER: "12",
    FieldType.DECIMAL: "3,5",
    FieldType.PERCENT: "97,5",
    FieldType.TEXT: "Không",
}


async def test_every_starter_field_in_a_sentence(tmp_path: Path) -> None:
    config = init_office(tmp_path / "office")
    workspace = load_workspace(config)
    lines = [f'period = "{PERIOD.key}"']
    for unit in workspace.units:
        for code in unit.forms:
            lines += ["[[submission]]", f'unit = "{unit.code}"', f'form = "{code}"']
            lines += ["submitted_at = 2024-06-01T09:00:00+07:00", "[submission.answers]"]
            for field in workspace.forms[code].fields:
                typed = field.choices[0] if field.choices else TYPED[field.type]
                lines.append(f'{field.key} = "{typed}"')
    answers = tmp_path / "answers.toml"
    answers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = await Database.open(tmp_path / "office" / "test.sqlite3")
    try:
        await load_answers(db, workspace, read_answers_file(answers))
        draft = await compile_draft(db, workspace, PERIOD, NOW)
    finally:
        await db.close()
    body = [p.text for p in open_docx(draft.docx).paragraphs if p.style.name == "BaoCaoNoiDung"]
    text = "\n".join(body)
    for form in workspace.forms.values():
        for field in form.fields:
            label = field.title[:1].upper() + field.title[1:]
            assert f"- {label}:" in text, label
            if field.type is FieldType.PERCENT:
                assert re.search(re.escape(label) + r": .*97,5%", text), label
            if field.type is FieldType.CHOICE:
                assert f"{field.choices[0][:1].lower()}{field.choices[0][1:]}" in text
    assert not re.search(r" [.;,]|  ", text), [
        line for line in body if re.search(r" [.;,]|  ", line)
    ]
    assert "- Không" not in text  # a bare answer without its label
