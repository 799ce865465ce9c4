using System.Diagnostics;
using System.Globalization;
using System.Text;
using Runstream.Contracts.Bus;

namespace Runstream.IntegrationTests;

/// <summary>
/// Eight training jobs log through the cluster while it loses parts: the broker node leading a partition's
/// quorum queue stops, one Ingest and one Projections are killed with SIGKILL, and all come back. Every
/// point each job logged lands exactly once (count and checksum per run, in SQL and through the API).
/// The figures go to tests/TestResults/cluster-chaos.md (bench/results keeps one run's).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterChaosTests(ClusterFixture cluster)
{
    private const int Jobs = 8;
    private readonly TrainingJobs _jobs = new(cluster);

    [Fact]
    public async Task A_broker_node_an_ingest_and_a_projections_lost_lose_and_duplicate_nothing()
    {
        var project = StackFixture.NewProject("cluster");
        using var stopLogging = new CancellationTokenSource();
        var total = Stopwatch.StartNew();
        var jobs = Enumerable.Range(0, Jobs).Select(i => _jobs.Train(project, i, stopLogging.Token)).ToArray();
        var runs = await Task.WhenAll(jobs.Select(j => j.Started));
        await _jobs.WaitForProgressAsync(project, runs, "the jobs to get going");

        // Both partitions' queues are quorum queues replicated on the three nodes.
        for (var partition = 0; partition < ClusterFixture.Partitions; partition++)
        {
            var queue = await cluster.QueueAsync(cluster.PartitionQueue(partition), askNode: 1);
            Assert.Equal("quorum", queue["type"]!.GetValue<string>());
            Assert.Equal(3, queue["members"]!.AsArray().Count);
        }

        var recovery = new List<(string Fault, TimeSpan Recovered)>();
        var leader = ClusterFixture.NodeNumber((await cluster.QueueAsync(cluster.PartitionQueue(0), askNode: 1))["leader"]!.GetValue<string>());
        var fault = Stopwatch.StartNew();
        await cluster.StopNodeAsync(leader);
        await _jobs.WaitForProgressAsync(project, runs, "progress without the leader node");
        recovery.Add(($"broker node {leader} (leader of partition 0's queue) stopped", fault.Elapsed));
        var newLeader = (await cluster.QueueAsync(cluster.PartitionQueue(0), askNode: leader % 3 + 1))["leader"]!.GetValue<string>();
        Assert.NotEqual(leader, ClusterFixture.NodeNumber(newLeader));

        // Ingest A stays down until every run has moved on: the jobs reach Ingest B on their own.
        fault.Restart();
        await cluster.KillAsync("ingest-a");
        await cluster.KillAsync("projections-0");
        await cluster.StartAgainAsync("projections-0");
        await _jobs.WaitForProgressAsync(project, runs, "progress through ingest-b after the kills");
        recovery.Add(("ingest-a and projections-0 killed (SIGKILL); projections-0 restarted at once, ingest-a left down", fault.Elapsed));

        fault.Restart();
        await cluster.StartAgainAsync("ingest-a");
        await cluster.StartNodeAsync(leader);
        await _jobs.WaitForProgressAsync(project, runs, "progress with everything back");
        recovery.Add(($"ingest-a restarted and broker node {leader} started again (rejoins)", fault.Elapsed));

        await stopLogging.CancelAsync();
        var logged = await Task.WhenAll(jobs.Select(j => j.Done));
        await _jobs.AssertEveryPointLandedOnceAsync(project, logged);
        await WriteReportAsync(project, logged, recovery, total.Elapsed);
    }

    private async Task WriteReportAsync(string project, TrainingJobs.Logged[] logged, List<(string Fault, TimeSpan Recovered)> recovery, TimeSpan elapsed)
    {
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"# Cluster chaos: 3 RabbitMQ nodes, 2 Ingest, 2 Projections partitions ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"{Jobs} jobs (C# SDK, both Ingest URLs, round-robin) each logged 2 keys every 4 ms for {elapsed.TotalSeconds:0} s, on one 2-core machine.");
        report.AppendLine();
        report.AppendLine("| fault | from the fault until every run progressed again (restarts included) |");
        report.AppendLine("| --- | --- |");
        foreach (var (fault, recovered) in recovery)
            report.AppendLine(CultureInfo.InvariantCulture, $"| {fault} | {recovered.TotalSeconds:0.0} s |");
        report.AppendLine();
        report.AppendLine("| run | partition | steps logged | points stored (value) | lost | frame events recorded twice |");
        report.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var job in logged)
        {
            var streamKey = $"{cluster.Entity}/{project}/{job.RunId}";
            var (points, _) = await _jobs.StoredPointsAsync(streamKey, "value");
            var (frames, distinct) = await _jobs.CountFrameEventsAsync(streamKey);
            var partition = RunFrameQueue.PartitionOf(cluster.Entity, project, job.RunId, ClusterFixture.Partitions);
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {job.RunId} | {partition} | {job.Steps} | {points} | {job.Steps - points} | {frames - distinct} |");
        }
        var path = Path.Combine(StackFixture.RepoRoot, "tests", "TestResults", "cluster-chaos.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, report.ToString());
    }
}
