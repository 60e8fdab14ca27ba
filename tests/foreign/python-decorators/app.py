"""Account service: routes, models, pipeline components and fixtures.

Example::

    >>> @component
    ... class Greeter:
    ...     pass

@component is Haystack's class decorator; see :func:`haystack.component`.
"""

from dataclasses import dataclass, field

import pytest
from flask import Flask, jsonify
from haystack import component
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates

from myproject import testing

app = Flask(__name__)


class Base(DeclarativeBase):
    pass


class User(Base):
    """A registered user.

    @validates("email") checks the address before every flush.

    :param email: the user's address, e.g. alice@example.com
    :type email: str
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(unique=True)

    @validates("email")
    def validate_email(self, key, address):
        """Reject addresses without an ``@``.

        :param key: the column name, ``"email"``.
        :param address: the proposed value.
        :raises ValueError: when the address has no ``@``.
        :returns: the address, unchanged.
        """
        if "@" not in address:
            raise ValueError("@validates('email') failed: missing @")
        return address

    @property
    def domain(self):
        return self.email.split("@", 1)[1]  # @property, so no parentheses

    @staticmethod
    def normalise(address: str) -> str:
        return address.strip().lower()


@dataclass
class Page:
    items: list = field(default_factory=list)
    cursor: str | None = None


@component
class Greeter:
    """A Haystack pipeline component.

    @component registers the class with the pipeline; ``run`` declares its outputs.
    """

    @component.output_types(greeting=str)
    def run(self, name: str):
        return {"greeting": f"Hello, @{name}"}


@app.route("/users/<int:user_id>")
def show_user(user_id: int):
    # @app.route registers this view; Flask passes user_id from the URL.
    return jsonify(id=user_id)


@pytest.fixture
def client():
    app.config["TESTING"] = True
    with app.test_client() as client:
        yield client


@testing.fixture
def greeter():
    return Greeter()


# @pytest.mark.parametrize runs this once per address
@pytest.mark.parametrize("address", ["a@example.com", "b@example.com"])
def test_normalise(address):
    assert User.normalise(f"  {address.upper()} ") == address


def test_greeter(greeter):
    """@test the Greeter component on its own."""
    assert greeter.run("alice") == {"greeting": "Hello, @alice"}
