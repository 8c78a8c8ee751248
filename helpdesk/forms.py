"""The help desk's forms. Flask-WTF adds and checks the CSRF token of each."""

from wtforms import BooleanField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from helpdesk.models import (
    DESCRIPTION_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    TicketStatus,
)
from shared.forms import Form, strip_whitespace


class TicketForm(Form):
    title = StringField(
        "Title",
        filters=[strip_whitespace],
        validators=[
            DataRequired("Give the ticket a title."),
            Length(
                max=TITLE_MAX_LENGTH, message=f"Keep the title under {TITLE_MAX_LENGTH} characters."
            ),
        ],
    )
    description = TextAreaField(
        "Description",
        filters=[strip_whitespace],
        render_kw={"rows": 8},
        validators=[
            DataRequired("Describe the problem."),
            Length(
                max=DESCRIPTION_MAX_LENGTH,
                message=f"Keep the description under {DESCRIPTION_MAX_LENGTH:,} characters.",
            ),
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
            Length(
                max=REPLY_MAX_LENGTH, message=f"Keep replies under {REPLY_MAX_LENGTH:,} characters."
            ),
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
