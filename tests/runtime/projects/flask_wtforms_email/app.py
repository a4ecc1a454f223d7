"""A sign-up form: WTForms' Email() validator imports email_validator only when a form is checked."""

from flask import Flask, request
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Email

app = Flask(__name__)
app.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=False)


class SignupForm(FlaskForm):
    email = StringField("email", validators=[DataRequired(), Email()])


@app.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignupForm(request.form)
    if form.validate_on_submit():
        return "thanks"
    return "<form method=post><input name=email></form>"


@app.get("/health")
def health():
    return "ok"
