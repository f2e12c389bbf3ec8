"""`cmake --install` lays out the files the package ships, and the .deb is set up to hold them.

The build directory is the one holding the binary under test (HOMEO_BIN); nothing is built
here. The .deb itself is installed and removed by .ci/package-check.sh (it needs root).
"""

import gzip
import os
import re
import shutil
import subprocess
import unittest

import homeo_testlib as lib


def cache_value(build_dir, name):
    with open(os.path.join(build_dir, "CMakeCache.txt"), encoding="utf-8") as f:
        for line in f:
            m = re.match(rf"{re.escape(name)}:[A-Z]+=(.*)$", line.rstrip("\n"))
            if m:
                return m.group(1)
    return None


def project_version():
    with open(os.path.join(lib.REPO_DIR, "CMakeLists.txt"), encoding="utf-8") as f:
        m = re.search(r"project\(homeostasisd VERSION ([0-9.]+)", f.read())
    assert m, "project(homeostasisd VERSION x.y.z) not found in CMakeLists.txt"
    return m.group(1)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


class InstallLayout(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.binary = lib.require_binary()
        cls.build_dir = os.path.dirname(cls.binary)
        if not os.path.isfile(os.path.join(cls.build_dir, "cmake_install.cmake")):
            raise AssertionError(f"{cls.build_dir} is not a CMake build directory")
        cls.tmp = lib.TempDir(prefix="homeo-install-")
        cls.prefix_configured = cache_value(cls.build_dir, "CMAKE_INSTALL_PREFIX")
        env = dict(os.environ)
        if cls.prefix_configured == "/usr":
            # A package build: the config goes to the absolute /etc, so stage with DESTDIR.
            env["DESTDIR"] = cls.tmp.path
            cmd = ["cmake", "--install", cls.build_dir]
            cls.root = cls.tmp.join("usr")
        else:
            cmd = ["cmake", "--install", cls.build_dir, "--prefix", cls.tmp.path]
            cls.root = cls.tmp.path
        cls.etc = cls.tmp.join("etc")
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
        if r.returncode != 0:
            cls.tmp.cleanup()
            raise AssertionError(
                f"{' '.join(cmd)} failed (build every target first: the man page is one)\n"
                f"{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
        cls.install_log = r.stdout

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def installed(self, *parts):
        path = os.path.join(self.root, *parts)
        self.assertTrue(os.path.isfile(path), f"{path} was not installed:\n{self.install_log}")
        return path

    def assertSameAsSource(self, installed, source):
        self.assertEqual(read_bytes(installed), read_bytes(os.path.join(lib.REPO_DIR, source)),
                         f"{installed} differs from {source}")

    def test_binary_runs_and_reports_the_project_version(self):
        path = self.installed("bin", "homeostasisd")
        self.assertTrue(os.access(path, os.X_OK), f"{path} is not executable")
        r = subprocess.run([path, "version"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[0], f"homeostasisd {project_version()}")

    def test_systemd_files(self):
        self.assertSameAsSource(self.installed("lib", "systemd", "system", "homeostasisd.service"),
                                "systemd/homeostasisd.service")
        self.assertSameAsSource(self.installed("lib", "sysusers.d", "homeostasisd.conf"),
                                "systemd/homeostasisd.sysusers")
        self.assertSameAsSource(self.installed("lib", "tmpfiles.d", "homeostasisd.conf"),
                                "systemd/homeostasisd.tmpfiles")

    def test_unit_points_at_the_installed_paths(self):
        # The package installs under /usr with the config in /etc: the unit must name those.
        with open(self.installed("lib", "systemd", "system", "homeostasisd.service"),
                  encoding="utf-8") as f:
            unit = f.read()
        self.assertRegex(
            unit,
            r"(?m)^ExecStart=/usr/bin/homeostasisd run --config /etc/homeostasisd/config\.yaml$")
        self.assertIn("/usr/share/doc/homeostasisd/README.md", unit)

    def test_example_config_is_installed_and_valid(self):
        path = os.path.join(self.etc, "homeostasisd", "config.yaml")
        self.assertTrue(os.path.isfile(path), f"{path} was not installed:\n{self.install_log}")
        self.assertSameAsSource(path, "systemd/config.yaml")
        self.assertFalse(os.stat(path).st_mode & 0o002, "the config must not be world-writable")
        r = subprocess.run([self.installed("bin", "homeostasisd"), "check", "--config", path],
                           capture_output=True, text=True, timeout=60, env=lib.child_env())
        self.assertEqual(r.returncode, lib.EXIT_OK, r.stderr)
        self.assertIn(": valid", r.stdout)

    def test_docs_and_man_page(self):
        self.assertSameAsSource(self.installed("share", "doc", "homeostasisd", "README.md"),
                                "README.md")
        self.assertSameAsSource(
            self.installed("share", "doc", "homeostasisd", "record.schema.json"),
            "docs/record.schema.json")
        man = self.installed("share", "man", "man8", "homeostasisd.8.gz")
        with gzip.open(man, "rb") as f:
            self.assertEqual(f.read(), read_bytes(os.path.join(lib.REPO_DIR, "docs",
                                                               "homeostasisd.8")))

    def test_dashboard_rules_and_completion(self):
        self.assertSameAsSource(
            self.installed("share", "homeostasisd", "dashboards", "homeostasisd.json"),
            "dashboards/homeostasisd.json")
        self.assertSameAsSource(
            self.installed("share", "homeostasisd", "rules", "homeostasisd.rules.yml"),
            "rules/homeostasisd.rules.yml")
        self.assertSameAsSource(
            self.installed("share", "bash-completion", "completions", "homeostasisd"),
            "completions/homeostasisd.bash")

    def test_copyright_is_the_license_and_names_the_maintainer(self):
        with open(self.installed("share", "doc", "homeostasisd", "copyright"),
                  encoding="utf-8") as f:
            copyright_text = f.read()
        self.assertTrue(copyright_text.startswith(
            "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"))
        maintainer = cache_value(self.build_dir, "HOMEO_PACKAGE_MAINTAINER")
        self.assertIn(f"\nUpstream-Contact: {maintainer}\n", copyright_text)
        self.assertIn("\nLicense: Expat\n", copyright_text)
        # The license paragraph is LICENSE's permission text, indented, "." for blank lines.
        with open(os.path.join(lib.REPO_DIR, "LICENSE"), encoding="utf-8") as f:
            license_text = f.read()
        self.assertTrue(license_text.startswith("MIT License\n"))
        permission = license_text[license_text.index("Permission is hereby granted"):]
        body = copyright_text[copyright_text.rindex("License: Expat\n") + 15:]
        unindented = "".join("\n" if l == " .\n" else l[1:]
                             for l in body.splitlines(keepends=True))
        self.assertEqual(unindented, permission)
        holder = re.search(r"(?m)^Copyright \(c\) (.*)$", license_text).group(1)
        self.assertIn(f"\nCopyright: {holder}\n", copyright_text)

    def test_changelog_names_this_version_and_the_maintainer(self):
        with gzip.open(self.installed("share", "doc", "homeostasisd", "changelog.gz"), "rt",
                       encoding="utf-8") as f:
            changelog = f.read()
        first = changelog.splitlines()[0]
        self.assertRegex(first, rf"^homeostasisd \({re.escape(project_version())}\) \w+; "
                                r"urgency=\w+$")
        maintainer = cache_value(self.build_dir, "HOMEO_PACKAGE_MAINTAINER")
        self.assertRegex(changelog, rf"(?m)^ -- {re.escape(maintainer)}  \w{{3}}, \d\d \w{{3}} "
                                    r"\d{4} \d\d:\d\d:\d\d [+-]\d{4}$")

    def test_man_page_renders_without_warnings(self):
        if not shutil.which("groff"):
            self.fail("groff is missing (scripts/install-deps.sh installs groff-base)")
        r = subprocess.run(["groff", "-ww", "-man", "-z",
                            os.path.join(lib.REPO_DIR, "docs", "homeostasisd.8")],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "", "groff warnings in docs/homeostasisd.8")


class Lintian(unittest.TestCase):
    """lintian finds nothing to say about the package. The .deb is HOMEO_DEB (`make deb`'s, as
    .ci/package-check.sh passes it); without it there is no package to check."""

    def test_lintian_is_clean(self):
        deb = os.environ.get("HOMEO_DEB")
        if not deb:
            self.skipTest("HOMEO_DEB names no .deb (.ci/package-check.sh runs this on make deb's)")
        if not shutil.which("lintian"):
            self.fail("lintian is missing (scripts/install-deps.sh test installs it)")
        r = subprocess.run(["lintian", "--info", "--display-info", "--fail-on", "error,warning,info",
                            deb], capture_output=True, text=True, timeout=600)
        self.assertEqual((r.returncode, r.stdout.strip()), (0, ""),
                         f"lintian {deb}:\n{r.stdout}{r.stderr}")


class DebianPackageSettings(unittest.TestCase):
    """What CPack will put in the .deb, read from the build directory's CPackConfig.cmake."""

    @classmethod
    def setUpClass(cls):
        cls.build_dir = os.path.dirname(lib.require_binary())
        path = os.path.join(cls.build_dir, "CPackConfig.cmake")
        if not os.path.isfile(path):
            raise AssertionError(f"{path} missing: cmake/Packaging.cmake did not include CPack")
        with open(path, encoding="utf-8") as f:
            cls.text = f.read()

    def setting(self, name):
        m = re.search(rf'^set\({name} "(.*?)"\)$', self.text, re.M | re.S)
        self.assertIsNotNone(m, f"{name} is not set in CPackConfig.cmake")
        return m.group(1)

    def test_package_identity(self):
        self.assertIn("DEB", self.setting("CPACK_GENERATOR").split(";"))
        self.assertEqual(self.setting("CPACK_PACKAGE_NAME"), "homeostasisd")
        self.assertEqual(self.setting("CPACK_PACKAGE_VERSION"), project_version())
        self.assertEqual(self.setting("CPACK_DEBIAN_PACKAGE_SECTION"), "admin")
        maintainer = self.setting("CPACK_DEBIAN_PACKAGE_MAINTAINER")
        self.assertRegex(maintainer, r"^[^<>]+ <[^<>@]+@[^<>]+>$")
        # One place names it: the cache entry the copyright file and changelog use too.
        self.assertEqual(maintainer, cache_value(self.build_dir, "HOMEO_PACKAGE_MAINTAINER"))

    def test_dependencies_come_from_the_shared_libraries(self):
        self.assertEqual(self.setting("CPACK_DEBIAN_PACKAGE_SHLIBDEPS"), "ON")
        if not shutil.which("dpkg-shlibdeps"):
            self.fail("dpkg-shlibdeps is missing (scripts/install-deps.sh installs dpkg-dev)")

    def test_conffile_and_maintainer_scripts(self):
        extra = self.setting("CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA").split(";")
        by_name = {os.path.basename(p): p for p in extra}
        self.assertEqual(sorted(by_name), ["conffiles", "postinst", "postrm", "prerm"])
        with open(by_name["conffiles"], encoding="utf-8") as f:
            self.assertEqual(f.read().split(), ["/etc/homeostasisd/config.yaml"])
        for name in ("postinst", "prerm", "postrm"):
            path = by_name[name]
            self.assertTrue(os.access(path, os.X_OK), f"{path} is not executable")
            r = subprocess.run(["sh", "-n", path], capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 0, f"{path}: {r.stderr}")
        with open(by_name["postinst"], encoding="utf-8") as f:
            postinst = "".join(l for l in f if not l.lstrip().startswith("#"))
        self.assertIn("systemd-sysusers /usr/lib/sysusers.d/homeostasisd.conf", postinst)
        self.assertIn("systemd-tmpfiles --create /usr/lib/tmpfiles.d/homeostasisd.conf", postinst)
        # Installing must not start a service whose example config still needs editing.
        self.assertNotRegex(postinst, r"systemctl (enable|start|restart) ")


if __name__ == "__main__":
    lib.main()
