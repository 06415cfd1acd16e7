#!/usr/bin/env bash
# Usage: scripts/cli-class-sharing.sh JAR
#
# Writes JAR's class data sharing archive (redraft-cli.jar -> redraft-cli.jsa) for scripts/redraft and
# cluster.sh, which map it when they run the tool: a command starts ~0.6 s sooner on 2 cores (loading and
# linking gRPC's, Netty's and protobuf's classes is most of a short command's time). Run by the CLI
# module's build right after it made the jar. The classes archived are those a command loads up to its
# first call: 'get' against a port on loopback where nothing listens (it exits 3 after its connection
# attempts; no cluster needed). The JVM would crash on a partial archive (one whose writer was killed), so
# the archive is written under another name and put in place only once a JVM has mapped it. A JVM maps it
# only with the same jar (path, size, time) and Java: after a rebuild or a Java update it is ignored until
# the next build writes it again. Never fails the build: without an archive the tool starts as before.
set -uo pipefail

jar=${1:?usage: cli-class-sharing.sh JAR}
archive="${jar%.jar}.jsa"
partial="$archive.$$"
# The options scripts/redraft runs a command with (C1 only, serial collector); -Xlog: writing the archive
# logs a warning per class it leaves out.
opts=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds=off -Xlog:cds+dynamic=off)

rm -f "$archive"
# Exit 3 (no node answered) is the command's end as planned: the JVM wrote the archive on its way out. Any
# other end (killed, crashed) may have left it half-written, which a mapping JVM need not notice.
java "${opts[@]}" -XX:ArchiveClassesAtExit="$partial" -jar "$jar" --endpoints 127.0.0.1:1 get k >/dev/null 2>&1
written=$?
if [[ $written -eq 3 && -s "$partial" ]] && java "${opts[@]}" -Xshare:on -XX:SharedArchiveFile="$partial" -XX:ErrorFile=/dev/null \
    -XX:-CreateCoredumpOnCrash -jar "$jar" --version >/dev/null 2>&1 && mv -f "$partial" "$archive"; then
  echo "cli-class-sharing: wrote $archive ($(du -k "$archive" | cut -f1) KiB)"
else
  rm -f "$partial"
  echo "cli-class-sharing: no class data sharing archive for $jar (the JVM did not write one it could map);" \
    "the tool starts without it" >&2
fi
exit 0
