# Sourced by bin/facegen and bin/test: points JAVA_HOME at a Java 25 JDK or explains how to get one.
is_java25() {
  [ -x "$1/bin/java" ] && "$1/bin/java" -version 2>&1 | head -1 | grep -Eq 'version "25([."]|$)'
}
find_java25() {
  if [ -n "${JAVA_HOME:-}" ] && is_java25 "$JAVA_HOME"; then return 0; fi
  for candidate in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* /usr/lib/jvm/jdk-25* /opt/java/*25* \
                   "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    if is_java25 "$candidate"; then export JAVA_HOME="$candidate"; return 0; fi
  done
  echo "facegen needs a Java 25 JDK and found none (looked at \$JAVA_HOME, /usr/lib/jvm/*25*, java on PATH)." >&2
  echo "Install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  exit 2
}
find_java25
export PATH="$JAVA_HOME/bin:$PATH"
# Maven itself calls sun.misc.Unsafe on Java 25; allow it quietly.
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
# libtorch (the audit's oracle) uses OpenMP and OpenBLAS: spinning OpenMP threads otherwise steal a core now and
# then and make single benchmark runs 3-80x slower (BUILD-NOTES.md); OpenBLAS ignores torch's thread setting.
export GOMP_SPINCOUNT="${GOMP_SPINCOUNT:-10000}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-$(nproc)}"
