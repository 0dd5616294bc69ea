#!/usr/bin/env bash
# Fleetup's JMH benchmarks of the hot paths: version comparison (a million pairs per scheme), the plan of 10,000
# inspections, SHA-256 and ArchiveCheck of a 5 MiB release. Sized for a 2-core machine: one fork, few iterations.
#
#   bench/jmh.sh             every benchmark
#   bench/jmh.sh REGEX ...   only those matching, with any further JMH options (bench/jmh.sh Plan -prof gc)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
main="$(cd "$here/.." && pwd)"

echo "building the bundles and the benchmarks..."
mvn -q -DskipTests install -f "$main/pom.xml" \
    -pl bundles/api,bundles/comparison,bundles/inspection,bundles/transport-ssh,bundles/simulator,bundles/storage -am
mvn -q -f "$here/java/pom.xml" package
jar="$here/java/target/benchmarks.jar"
results="$here/java/target/jmh-results.txt"
# JMH runs the benchmarks in forked JVMs; they inherit these
jvm="-Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Xms1g -Xmx1g"

if [[ $# -gt 0 ]]; then
    java -jar "$jar" -f 1 -wi 3 -i 5 -w 2s -r 2s -jvmArgs "$jvm" "$@"
    exit
fi
# Each operation of these is 10-500 ms: 3 warm-ups and 5 measurements of 2 s each are enough to settle.
java -jar "$jar" -f 1 -wi 3 -i 5 -w 2s -r 2s -jvmArgs "$jvm" -rff "$results" -rf text \
    'VersionCompareBenchmark|PlanBenchmark|ArchiveBenchmark'
echo
echo "results also in $results"
