"""URL converters shared by every app's routes."""

MAX_ID = 2**63 - 1  # the largest primary key a bigint column holds


class IdConverter:
    """`<id:name>`: a positive primary key that fits a bigint, so a 30-digit id is a 404, not a database error."""

    regex = "[1-9][0-9]{0,18}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("id out of range")  # Django answers 404 for a converter's ValueError
        return number

    def to_url(self, value) -> str:
        return str(value)
