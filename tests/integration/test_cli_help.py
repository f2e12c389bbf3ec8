"""`homeostasisd --help`, each `<command> --help` and the man page describe every command, option
and exit status the command line has."""

import os
import re
import subprocess
import unittest

import homeo_testlib as lib

# What each command accepts and can exit with (INTERFACE.md; daemon/cli.cc).
COMMANDS = {
    "run": {"options": ["--config"],
            "exits": [lib.EXIT_OK, lib.EXIT_FAILURE, lib.EXIT_USAGE, lib.EXIT_CANTCREAT,
                      lib.EXIT_CONFIG]},
    "check": {"options": ["--config"],
              "exits": [lib.EXIT_OK, lib.EXIT_USAGE, lib.EXIT_CONFIG]},
    "parse": {"options": ["--config", "--format", "--service", "--min-level"],
              "exits": [lib.EXIT_OK, lib.EXIT_FAILURE, lib.EXIT_USAGE, lib.EXIT_CONFIG]},
    "detect": {"options": ["--config"],
               "exits": [lib.EXIT_OK, lib.EXIT_FAILURE, lib.EXIT_USAGE, lib.EXIT_CONFIG]},
    "tap": {"options": ["--config", "--service", "--level", "--fingerprint", "--count"],
            "exits": [lib.EXIT_OK, lib.EXIT_FAILURE, lib.EXIT_USAGE, lib.EXIT_CONFIG]},
    "version": {"options": [], "exits": [lib.EXIT_OK]},
}
ALL_EXITS = [lib.EXIT_OK, lib.EXIT_FAILURE, lib.EXIT_USAGE, lib.EXIT_CANTCREAT, lib.EXIT_CONFIG]
MAN_PAGE = os.path.join(lib.REPO_DIR, "docs", "homeostasisd.8")
COMPLETION = os.path.join(lib.REPO_DIR, "completions", "homeostasisd.bash")
BASH_COMPLETION = "/usr/share/bash-completion/bash_completion"


def exit_section(text):
    """The text from the first 'Exit status' on, where the statuses are listed."""
    m = re.search(r"(?is)exit status.*", text)
    return m.group(0) if m else ""


def man_text():
    """The man page source with roff escapes for '-' removed, so options read as typed."""
    with open(MAN_PAGE, encoding="utf-8") as f:
        return f.read().replace("\\-", "-")


class CommandHelp(unittest.TestCase):
    def help_of(self, *args):
        r = lib.run_cmd(*args)
        self.assertEqual(r.code, lib.EXIT_OK, r.describe())
        self.assertEqual(r.stderr, "", r.describe())
        self.assertTrue(r.stdout.strip(), r.describe())
        return r.stdout

    def test_top_level_help_lists_every_command_and_exit_status(self):
        for flag in ("--help", "-h"):
            text = self.help_of(flag)
            for command in COMMANDS:
                self.assertRegex(text, rf"homeostasisd {command}\b", f"{flag}: {command}")
            exits = exit_section(text)
            for code in ALL_EXITS:
                self.assertRegex(exits, rf"\b{code}\b", f"{flag}: exit status {code}")

    def test_each_command_help(self):
        for command, spec in COMMANDS.items():
            with self.subTest(command=command):
                text = self.help_of(command, "--help")
                self.assertRegex(text, rf"(?m)^Usage: homeostasisd {command}\b")
                usage, _, body = text.partition("\n\n")
                for option in spec["options"]:
                    # In the usage lines, and explained in the text below them.
                    self.assertIn(option, usage, f"`{command} --help` usage lacks {option}")
                    self.assertIn(option, body,
                                  f"`{command} --help` does not explain {option}:\n{text}")
                exits = exit_section(text)
                self.assertTrue(exits, f"`{command} --help` has no 'Exit status' part:\n{text}")
                for code in spec["exits"]:
                    self.assertRegex(exits, rf"\b{code}\b",
                                     f"`{command} --help` does not describe exit status {code}")

    def test_detect_help_names_every_envelope_detect_prints(self):
        text = self.help_of("detect", "--help")
        for envelope in ("cri", "docker", "compose"):  # Detection::container in parsers/
            self.assertIn(f'"in {envelope}"', text)

    def test_help_is_also_accepted_after_other_options(self):
        # `--help` wins over a missing --config: asking for help is never a usage error.
        text = self.help_of("parse", "--format", "json", "--help")
        self.assertIn("--min-level", text)

    def test_undocumented_option_is_a_usage_error(self):
        r = lib.run_cmd("run", "--no-such-option", "x")
        self.assertEqual(r.code, lib.EXIT_USAGE, r.describe())
        self.assertIn("--help", r.stderr)


class ManPage(unittest.TestCase):
    def test_documents_every_command_option_and_exit_status(self):
        text = man_text()
        for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "EXIT STATUS",
                        "SIGNALS", "FILES", "SEE ALSO"):
            self.assertRegex(text, rf"(?m)^\.SH {section}$")
        for command, spec in COMMANDS.items():
            self.assertRegex(text, rf"(?m)^\.B {command}\b", f"SYNOPSIS: {command}")
            for option in spec["options"]:
                self.assertIn(option, text, f"{command}: {option}")
        exits = text[text.index(".SH EXIT STATUS"):text.index(".SH SIGNALS")]
        for code in ALL_EXITS:
            self.assertRegex(exits, rf"(?m)^\.B {code}$", f"exit status {code}")
        for sig in ("SIGTERM", "SIGINT", "SIGHUP"):
            self.assertIn(sig, text)

    def test_every_option_of_the_help_is_in_the_man_page(self):
        text = man_text()
        helps = [lib.run_cmd("--help").stdout]
        helps += [lib.run_cmd(c, "--help").stdout for c in COMMANDS]
        options = set()
        for h in helps:
            options.update(re.findall(r"(?<![\w-])--[a-z][a-z-]*", h))
        self.assertIn("--config", options)
        for option in sorted(options):
            self.assertIn(option, text, f"{option} is in --help but not in the man page")



def complete(line, cwd=None):
    """What bash offers for TAB at the end of `line`, with bash-completion's helpers and the
    project's completion loaded, as an interactive shell would."""
    if not os.path.isfile(BASH_COMPLETION):
        raise AssertionError(f"{BASH_COMPLETION} is missing (Debian's bash-completion package; "
                             "scripts/install-deps.sh test installs it)")
    words = line.split()
    if line.endswith(" "):
        words.append("")
    script = f"""
source {BASH_COMPLETION}
source {COMPLETION}
COMP_LINE={line!r}
COMP_POINT=${{#COMP_LINE}}
COMP_WORDS=({' '.join(repr(w) for w in words)})
COMP_CWORD={len(words) - 1}
_homeostasisd homeostasisd "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], capture_output=True,
                       text=True, timeout=30, cwd=cwd)
    if r.returncode != 0:
        raise AssertionError(f"completing {line!r} failed: {r.stderr}")
    return sorted(w for w in r.stdout.split("\n") if w)


def completion_formats():
    with open(COMPLETION, encoding="utf-8") as f:
        m = re.search(r'local formats="([^"]*)"', f.read())
    assert m, f"no formats list in {COMPLETION}"
    return m.group(1).split()


class BashCompletion(unittest.TestCase):
    def test_commands(self):
        self.assertEqual(complete("homeostasisd "),
                         sorted(list(COMMANDS) + ["--help", "--version"]))
        self.assertEqual(complete("homeostasisd pa"), ["parse"])

    def test_each_command_offers_its_options(self):
        for command, spec in COMMANDS.items():
            with self.subTest(command=command):
                self.assertEqual(complete(f"homeostasisd {command} --"),
                                 sorted(spec["options"] + ["--help"]))

    def test_option_values(self):
        self.assertEqual(complete("homeostasisd parse --format js"), ["json"])
        self.assertIn("auto", complete("homeostasisd parse --format "))
        self.assertEqual(complete("homeostasisd parse --min-level E"), ["ERROR"])
        with lib.TempDir() as tmp:
            tmp.write("a.yaml", "")
            tmp.write("b.txt", "")
            tmp.mkdir("conf.d")
            self.assertEqual(complete("homeostasisd check --config ", cwd=tmp.path),
                             ["a.yaml", "conf.d"])
            self.assertEqual(complete("homeostasisd detect ", cwd=tmp.path),
                             ["a.yaml", "b.txt", "conf.d"])

    def test_the_formats_are_the_built_in_ones(self):
        # Each one `parse --format` accepts, and every registered format is offered.
        formats = completion_formats()
        for name in formats:
            r = lib.run_cmd("parse", "--format", name, stdin_text="")
            self.assertEqual(r.code, lib.EXIT_OK, f"--format {name}:\n{r.describe()}")
        with open(os.path.join(lib.REPO_DIR, "parsers", "builtin.cc"), encoding="utf-8") as f:
            registered = re.findall(r'registry\.add\(\s*\{"(\w+)"', f.read())
        self.assertGreater(len(registered), 10)
        self.assertEqual(sorted(formats), sorted(registered))


if __name__ == "__main__":
    lib.main()
