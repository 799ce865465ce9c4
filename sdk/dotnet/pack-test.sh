#!/usr/bin/env bash
# Packs the C# SDK (Runstream.Client and the Runstream.Contracts it depends on) as NuGet packages,
# then proves they install: a new console project outside the repository takes Runstream.Client
# from the packed feed (its other dependencies from the usual NuGet sources), builds, and logs an
# offline run. Writes tests/TestResults/sdk-pack-junit.xml for ./platform test's summary.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
results="${RUNSTREAM_TEST_RESULTS:-$repo/tests/TestResults}"
configuration="${CONFIGURATION:-Release}"
work="$(mktemp -d)"
# A version of this run's own: NuGet caches packages by version, and must not hand back an older build.
version="0.1.0-test.$(date +%s)"
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
trap 'rm -rf "$work" "$cache/runstream.client/$version" "$cache/runstream.contracts/$version"' EXIT

mkdir -p "$results"

report() {  # name, failure message (empty: passed)
    local body=""
    [[ -n "$2" ]] && body="<failure message=\"$(printf '%s' "$2" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/"/\&quot;/g')\"/>"
    printf '<testsuite name="sdk-pack"><testcase classname="sdk.dotnet" name="%s">%s</testcase></testsuite>\n' "$1" "$body" >"$results/sdk-pack-junit.xml"
}

check() {
    for project in "$repo/contracts/Runstream.Contracts.csproj" "$here/Runstream.Client/Runstream.Client.csproj"; do
        dotnet pack "$project" -c "$configuration" --no-build -nologo -v quiet -o "$work/feed" -p:Version="$version" >"$work/pack.log" 2>&1 \
            || { cat "$work/pack.log"; echo "dotnet pack $project failed"; return 1; }
    done
    local package="$work/feed/Runstream.Client.$version.nupkg"
    /usr/bin/python3 -m zipfile -l "$package" | grep -qE '^README.md\s' || { echo "the package has no README.md"; return 1; }
    /usr/bin/python3 -m zipfile -l "$package" | grep -qE '^lib/net10.0/Runstream.Client.dll\s' || { echo "the package has no lib/net10.0/Runstream.Client.dll"; return 1; }

    mkdir -p "$work/consumer"
    cat >"$work/consumer/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
  <ItemGroup><PackageReference Include="Runstream.Client" Version="$version" /></ItemGroup>
</Project>
XML
    cat >"$work/consumer/Program.cs" <<'CS'
using Runstream.Client;
await using var run = await Experiment.InitAsync(new RunSettings { Project = "pack-test", Offline = true, SpoolDirectory = args[0], Warn = _ => { } });
run.Log(new Dictionary<string, double> { ["loss"] = 0.5 });
var result = await run.FinishAsync();
Console.WriteLine($"logged {run.Id}: {result.Unacknowledged} frames spooled");
CS
    cat >"$work/consumer/nuget.config" <<XML
<configuration><packageSources><add key="packed" value="$work/feed" /></packageSources></configuration>
XML
    (cd "$work/consumer" && dotnet run -c Release -- "$work/spool") >"$work/run.log" 2>&1 \
        || { tail -n 30 "$work/run.log"; echo "a project using the package did not build or run"; return 1; }
    grep -q "frames spooled" "$work/run.log" || { cat "$work/run.log"; echo "the consumer logged nothing"; return 1; }
    echo "packed Runstream.Client and Runstream.Contracts $version ($(du -k "$package" | cut -f1) KiB); a project using them built and logged a run: $(grep 'frames spooled' "$work/run.log")"
}

if message="$(check 2>&1)"; then
    echo "$message"
    report "the C# SDK packs and installs from its package" ""
else
    echo "$message" >&2
    report "the C# SDK packs and installs from its package" "$(printf '%s' "$message" | tail -n 5)"
    exit 1
fi
