import json
from typing import Optional


class NotFoundError(Exception):
    pass


class UserRepository:
    def __init__(self, db, table: str = "users"):
        self.db = db
        self.table = table

    def find_by_email(self, email: str) -> Optional[dict]:
        rows = self.db.execute(f"SELECT * FROM {self.table} WHERE email = ?", (email,))
        return rows[0] if rows else None

    def get_user(self, user_id: int) -> dict:
        """Return the user with this id."""
        user = self.find_by_email(str(user_id))
        if user is None:
            raise NotFoundError(f"user {user_id}")
        return user


def parse_config(text: str, strict: bool = True) -> dict:
    data = json.loads(text)
    if strict and "name" not in data:
        raise ValueError("config needs a name")
    return data


def is_admin(user: dict) -> bool: return user.get("role") == "admin"
