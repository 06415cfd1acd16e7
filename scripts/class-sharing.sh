# Sourced by cluster.sh (needs COORDINATOR_JAR, DEFAULT_JAVA_OPTS and REDRAFT_JAVA_OPTS).
#
# Class data sharing: with an archive of the classes a coordinator loads, a node starts ~40% sooner (one
# node on 2 cores: 5.8 -> 3.5 s; a restart on a loaded machine is CPU-bound the same way). The JVM writes
# the archive when a node that served stops cleanly; it is kept beside the jar, one per jar build and Java.
# Only with the default settings (REDRAFT_JAVA_OPTS replaces them, this included).
CDS_ARCHIVE="${COORDINATOR_JAR%.jar}.jsa"
cds_key() {
  local java_home
  java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  echo "$(stat -c '%s %Y' "$COORDINATOR_JAR") $java_home $(stat -c '%s %Y' "$java_home/lib/modules" 2>/dev/null)"
}
cds_fits() { [[ -f "$CDS_ARCHIVE" && "$(cat "$CDS_ARCHIVE.key" 2>/dev/null)" == "$(cds_key)" ]]; }

# CDS_OPTS: the JVM options for class data sharing of the node in directory $1: the archive if one fits this
# jar and Java, else, for the first node this command starts, write one as it stops (each node would write
# the same ~60 MB, and only one is kept).
CDS_OPTS=()
CDS_WRITER=""
set_cds_opts() {
  CDS_OPTS=()
  [[ -z "${REDRAFT_JAVA_OPTS:-}" ]] || return 0
  if cds_fits; then
    CDS_OPTS=("-XX:SharedArchiveFile=$CDS_ARCHIVE")
  elif [[ -z "$CDS_WRITER" || "$CDS_WRITER" == "$1" ]]; then
    CDS_WRITER=$1
    # -Xlog:cds=off: writing it logs a warning per class it leaves out (~40).
    CDS_OPTS=("-XX:ArchiveClassesAtExit=$1/coordinator.jsa" "-Xlog:cds=off")
  fi
}

# After the coordinator of directory $1 stopped: the archive it wrote (if any) becomes the shared one when
# none fits yet, the node served since its last start (a node that exited early holds few classes), and a
# JVM maps it (a JVM killed while writing leaves a partial file, on which a start would crash); else it is
# deleted. Put in place by renames beside the jar (the node's directory may be on another file system).
# Never fails a stop.
adopt_cds_archive() {
  local new="$1/coordinator.jsa" tmp="$CDS_ARCHIVE.$$"
  [[ -f "$new" ]] || return 0
  if ! cds_fits \
      && awk '/ cluster.sh starts coordinator / { served = 0 } / serving: / { served = 1 } END { exit !served }' \
        "$1/coordinator.log" 2>/dev/null \
      && java $DEFAULT_JAVA_OPTS -Xshare:on -XX:SharedArchiveFile="$new" -XX:ErrorFile=/dev/null \
        -XX:-CreateCoredumpOnCrash -jar "$COORDINATOR_JAR" --help >/dev/null 2>&1; then
    { cp "$new" "$tmp" && mv -f "$tmp" "$CDS_ARCHIVE" && cds_key > "$tmp.key" && mv -f "$tmp.key" "$CDS_ARCHIVE.key"; } \
      2>/dev/null || rm -f "$tmp" "$tmp.key" || true
  fi
  rm -f "$new" || true
}
