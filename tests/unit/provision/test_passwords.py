"""The `$7$` hashes match what Mosquitto's own tool writes and reads."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tools.provision import passwords


def test_hash_verifies_only_its_password() -> None:
    encoded = passwords.hash_password("s3cret")
    assert encoded.startswith("$7$101$")
    assert passwords.verify_password("s3cret", encoded)
    assert not passwords.verify_password("s3cret!", encoded)
    assert not passwords.verify_password("s3cret", "$6$not$pbkdf2")


def test_mosquitto_passwd_hashes_verify_here(tmp_path: Path) -> None:
    tool = shutil.which("mosquitto_passwd")
    if tool is None:
        pytest.skip("mosquitto_passwd is not installed")
    file = tmp_path / "passwd"
    subprocess.run([tool, "-b", "-c", str(file), "alice", "from-mosquitto"], check=True)
    entries = passwords.parse_password_file(file.read_text())
    assert passwords.verify_password("from-mosquitto", entries["alice"])


def test_password_file_round_trips_sorted() -> None:
    text = passwords.render_password_file({"zed": "$7$1$a$b", "amy": "$7$1$c$d"})
    assert text == "amy:$7$1$c$d\nzed:$7$1$a$b\n"
    assert passwords.parse_password_file("# comment\n" + text) == {
        "amy": "$7$1$c$d",
        "zed": "$7$1$a$b",
    }


@pytest.mark.parametrize("name", ["", "has:colon", "has space", "-leading", "x" * 65])
def test_usernames_that_break_the_files_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="invalid broker username"):
        passwords.check_username(name)


def test_generated_passwords_are_url_safe_and_distinct() -> None:
    generated = {passwords.generate_password() for _ in range(50)}
    assert len(generated) == 50
    assert all(len(p) == 32 and p.replace("-", "").replace("_", "").isalnum() for p in generated)
