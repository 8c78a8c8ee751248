"""``shared/templates/_form.html``'s ``field`` macro: each kind of field is
described, for a screen reader, by the text shown beside it."""

from __future__ import annotations

import re

from flask import Flask, render_template_string
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField

PAGE = """{% from "_form.html" import field %}
{{ field(form.name, help="As on your passport.") }}
{{ field(form.newsletter, help="One mail a month.") }}"""


class ExampleForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Name")
    newsletter = BooleanField("Send me the newsletter")


def test_a_checkbox_with_help_shows_it_and_is_described_by_it(app: Flask) -> None:
    with app.test_request_context():
        html = render_template_string(PAGE, form=ExampleForm())
    for name, help_text in (("name", "As on your passport."), ("newsletter", "One mail a month.")):
        field = re.search(rf'<input[^>]*\bid="{name}"[^>]*>', html)
        assert field is not None
        assert f'aria-describedby="{name}-help"' in field.group(0)
        assert f'<div id="{name}-help" class="form-text">{help_text}</div>' in html
