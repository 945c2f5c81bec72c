"""The flow every settings form shares: show, check, save in one transaction, or show problems."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import flash, redirect, request
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from .blueprint import db, page
from .forms import Field, FormInvalid, parse_form, shown_values
from .i18n import gettext


def form_page(
    *,
    title: str,
    fields: tuple[Field, ...],
    load: Callable[[Session], Mapping[str, Any]],
    save: Callable[[Session, dict[str, Any]], Any],
    done: str,
    saved_message: str,
    template: str = "admin/form.html",
    parse: Callable[[Mapping[str, str]], dict[str, Any]] | None = None,
    initial: Callable[[Mapping[str, Any]], dict[str, str]] | None = None,
    **context: Any,
) -> tuple[str, int] | BaseResponse:
    """GET: the form with the stored values. POST: save and go to `done`, or show problems
    (status 422) with nothing written."""
    show = initial or (lambda stored: shown_values(fields, stored))
    if request.method == "POST":
        try:
            values = (parse or (lambda data: parse_form(fields, data)))(request.form)
            with db().write_session() as session:
                save(session, values)
        except FormInvalid as invalid:
            posted = {key: request.form.get(key, "") for key in request.form}
            return page(
                template,
                title=title,
                fields=fields,
                values=posted,
                problems=invalid.problems,
                **context,
            ), 422
        flash(gettext(saved_message), "success")
        return redirect(done)
    with db().read_session() as session:
        values_shown = show(load(session))
    return page(
        template, title=title, fields=fields, values=values_shown, problems={}, **context
    ), 200
