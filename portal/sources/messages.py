"""Clear, translated messages for the stable error codes of sources and data files."""

from __future__ import annotations

from flask_babel import gettext as _

from rights.errors import DomainError


def error_message(exc: DomainError) -> str:
    params = {k: v for k, v in exc.params.items() if isinstance(v, str | int)}
    messages = {
        # Data files
        "too_large": _("The file is too large."),
        "empty": _("The file is empty or has no rows."),
        "not_a_data_file": _("This is not a CSV or XLSX data file."),
        "encoding": _(
            "The file's character encoding cannot be read. Save it as UTF-8 CSV or XLSX."
        ),
        "no_header": _("The first row holds data, not column names."),
        "empty_header": _("A column has no name."),
        "duplicate_header": _("Two columns have the same name."),
        "too_many_columns": _(
            "The file has too many columns (row %(row)s).", row=params.get("row", 1)
        ),
        "row_too_long": _("A row is too long (row %(row)s).", row=params.get("row", "?")),
        "cell_too_long": _("A cell is too long (row %(row)s).", row=params.get("row", "?")),
        "too_many_rows": _("The file has too many rows."),
        "malformed_csv": _("The CSV file is malformed (row %(row)s).", row=params.get("row", "?")),
        "broken_xlsx": _("The XLSX file is damaged."),
        "zip_bomb": _("The XLSX file unpacks to an unsafe size."),
        "no_sheet": _("The workbook has no worksheet."),
        "no_identifier_column": _(
            "No column holds an e-mail address, phone number, customer number or address."
        ),
        # Sources
        "bad_source_definition": _(
            "The source definition is not valid: %(reason)s", reason=str(exc)
        ),
        "unknown_owner": _("The owner organisation does not exist."),
        "kind_changed": _("A source cannot change its kind."),
        "no_url": _("The source has no database URL."),
        "bad_url": _("The database URL is not valid."),
        "bad_source_url": _("The database URL is not valid."),
        "source_url_is_portal": _(
            "A data source cannot be the portal's own database: choose the database that "
            "holds the organisation's data."
        ),
        "source_url_sqlite_outside": _(
            "An SQLite data source must be a file in the folder set for data sources "
            "(PORTAL_SOURCE_SQLITE_DIR)."
        ),
        "source_url_host": _(
            "This database server is not on the list of allowed hosts "
            "(PORTAL_SOURCE_ALLOWED_HOSTS)."
        ),
        "unreachable": _(
            "The database of source %(source)s cannot be reached.", source=params.get("source", "")
        ),
        "timeout": _(
            "The database of source %(source)s did not answer in time.",
            source=params.get("source", ""),
        ),
        "missing_table": _(
            "The mapping names table %(table)s, which does not exist.",
            table=params.get("table", ""),
        ),
        "missing_column": _(
            "The mapping names column %(column)s of table %(table)s, which does not exist.",
            column=params.get("column", ""),
            table=params.get("table", ""),
        ),
        "query_failed": _("A query on the source failed; nothing was changed."),
        "changed_since_preview": _(
            "The data changed since the preview; nothing was changed. Preview again."
        ),
        "cannot_anonymise": _(
            "Column %(column)s cannot be anonymised: it is required and not text.",
            column=params.get("column", ""),
        ),
        "hold_needs_parent": _(
            "Table %(table)s would be deleted while a retention hold keeps rows linked "
            "to it; map it with erasure = anonymise.",
            table=params.get("table", ""),
        ),
        # Actions
        "four_eyes": _("Another officer must execute an erasure you prepared."),
        "controller_approval": _(
            "The controller has not approved this action as previewed: its designated "
            "contact must approve it first. Nothing was changed."
        ),
        "controller_rejected": _(
            "The controller rejected this action; it cannot be carried out. Nothing was changed."
        ),
        "no_matches": _("There are no confirmed matches in this source."),
        "nothing_to_suppress": _("There is nothing to suppress."),
        "nothing_to_notify": _(
            "No executed rectification, erasure or restriction has recipients to notify."
        ),
        "no_restrict_column": _(
            "The mapping of this source has no restrict column; restrict it by hand."
        ),
        "unsupported_key": _(
            "The primary key of table %(table)s must be an integer or text.",
            table=params.get("table", ""),
        ),
        "bad_rectify": _("Choose a mapped column to rectify."),
        "bad_action": _("This action is not possible for this source."),
        "manual_source": _("A manual source is handled by its task."),
        "no_source": _("Choose a source."),
        "action_done": _("This action was already carried out."),
        "request_closed": _("The request is closed."),
        "answer_required": _("Describe what was found or done."),
        "task_done": _("The task is already done."),
        "retention": _("The retention period must be 1 to 3650 days."),
        "not_file": _("Files can only be uploaded to a file source."),
        "contract_ended": _(
            "The contract with %(organisation)s ended: we hold none of its data any more and "
            "take no new data files for it.",
            organisation=params.get("organisation", ""),
        )
        if params.get("about") != "source"
        else _(
            "The contract with %(organisation)s ended: no data source can be added or changed "
            "for it.",
            organisation=params.get("organisation", ""),
        ),
    }
    return str(
        messages.get(exc.code, _("The action could not be carried out (%(code)s).", code=exc.code))
    )
