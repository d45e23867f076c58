"""The monthly draft report: compile (figures, checks), render (.docx, .md), export (.xlsx).

`compile_draft(db, workspace, period, now)` is what the chat's /tonghop and `baocao report`
call; `export_xlsx(db, workspace, period)` is behind `baocao export`.
"""

from bot.report.compile import Draft, build_document, compile_draft
from bot.report.export import export_xlsx

__all__ = ["Draft", "build_document", "compile_draft", "export_xlsx"]
