"""The form staff choose a login's Pages and Instagram accounts with."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField


class ChooseForm(FlaskForm):
    """Ids of the Pages and Instagram accounts to use; checked against Meta's list, not here."""

    pages = SelectMultipleField("Facebook Pages", choices=[], validate_choice=False)
    instagram = SelectMultipleField("Instagram accounts", choices=[], validate_choice=False)
