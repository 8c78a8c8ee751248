"""The help desk's forms. Flask-WTF adds and checks the CSRF token of each."""

from wtforms import BooleanField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired

from helpdesk.models import (
    DESCRIPTION_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    TicketStatus,
)
from shared.forms import Form, at_most, strip_whitespace


class TicketForm(Form):
    title = StringField(
        "Title",
        filters=[strip_whitespace],
        validators=[
            DataRequired("Give the ticket a title."),
            at_most(TITLE_MAX_LENGTH, "the title"),
        ],
    )
    description = TextAreaField(
        "Description",
        filters=[strip_whitespace],
        render_kw={"rows": 8},
        validators=[
            DataRequired("Describe the problem."),
            at_most(DESCRIPTION_MAX_LENGTH, "the description"),
        ],
    )
    submit = SubmitField("Open ticket")


class ReplyForm(Form):
    body = TextAreaField(
        "Your reply",
        filters=[strip_whitespace],
        render_kw={"rows": 4},
        validators=[
            DataRequired("Write something before sending."),
            at_most(REPLY_MAX_LENGTH, "replies"),
        ],
    )
    submit = SubmitField("Send reply")


class StaffReplyForm(ReplyForm):
    internal = BooleanField("Internal note (only staff can see it)")


class StatusForm(Form):
    status = SelectField(
        "Status",
        choices=[SelectChoice(status.value, status.label) for status in TicketStatus],
        validators=[DataRequired("Choose a status.")],
    )
    submit = SubmitField("Change status")
