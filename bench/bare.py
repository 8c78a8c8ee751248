"""The ceiling: the least a Flask app can do per request under gunicorn.

Every other number in the table is a ratio to this one, so the table says
how much each endpoint costs on top of Flask itself, whatever the machine.
"""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def hello():  # type: ignore[no-untyped-def]
    return jsonify(message="hello")
