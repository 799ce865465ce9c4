using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Runstream.IntegrationTests;

/// <summary>
/// PostgreSQL fails over as CloudNativePG would do it: while eight jobs log, the primary stops at once (as a
/// crash), the synchronous replica is promoted, and the services find it through their multi-host connection
/// string (Target Session Attributes=read-write). Nothing acknowledged is lost: a frame's broker message is
/// acknowledged only once its transaction committed, and a commit returned only once the replica had it.
/// Afterwards the old primary rejoins as the new primary's replica. Figures to tests/TestResults/postgres-failover.md.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PostgresFailoverTests(ClusterFixture cluster)
{
    private const int Jobs = 8;
    private readonly TrainingJobs _jobs = new(cluster);

    [Fact]
    public async Task A_primary_lost_and_its_replica_promoted_lose_nothing_acknowledged()
    {
        var project = StackFixture.NewProject("failover");
        using var stopLogging = new CancellationTokenSource();
        var total = Stopwatch.StartNew();
        var jobs = Enumerable.Range(0, Jobs).Select(i => _jobs.Train(project, i, stopLogging.Token)).ToArray();
        var runs = await Task.WhenAll(jobs.Select(j => j.Started));
        await _jobs.WaitForProgressAsync(project, runs, "the jobs to get going");

        var fault = Stopwatch.StartNew();
        await cluster.PostgresAsync("stop-primary");
        await cluster.PostgresAsync("promote");
        var promoted = fault.Elapsed;
        await _jobs.WaitForProgressAsync(project, runs, "progress on the promoted replica");
        var recovered = fault.Elapsed;

        await cluster.PostgresAsync("up");
        await _jobs.WaitForProgressAsync(project, runs, "progress with the old primary back as replica");

        await stopLogging.CancelAsync();
        var logged = await Task.WhenAll(jobs.Select(j => j.Done));
        await _jobs.AssertEveryPointLandedOnceAsync(project, logged);

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"# PostgreSQL failover: primary stopped (immediate), synchronous replica promoted ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"{Jobs} jobs logged 2 keys every 4 ms for {total.Elapsed.TotalSeconds:0} s through the cluster (3 RabbitMQ nodes, 2 Ingest, 2 Projections), one 2-core machine.");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"- primary stopped to replica promoted: {promoted.TotalSeconds:0.0} s (the launcher's pg_ctl calls; an operator's detection time comes on top)");
        report.AppendLine(CultureInfo.InvariantCulture, $"- primary stopped to every run progressing again: {recovered.TotalSeconds:0.0} s");
        report.AppendLine(CultureInfo.InvariantCulture, $"- steps logged: {logged.Sum(job => job.Steps)} in {logged.Length} runs; lost: 0; frame events recorded twice: 0 (asserted per run, count and checksum in SQL)");
        var path = Path.Combine(StackFixture.RepoRoot, "tests", "TestResults", "postgres-failover.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, report.ToString());
    }
}
