using System.Text.Json.Nodes;
using Runstream.Query.Compare;
using Runstream.Query.History;
using Runstream.Query.Runs.Filtering;
using Runstream.Store.Metrics;
using Runstream.Store.Runs;

namespace Runstream.UnitTests;

public sealed class SamplingTests
{
    [Fact]
    public void Buckets_keep_min_max_and_last_and_ignore_nan_for_min_and_max()
    {
        double[] x = [0, 1, 2, 3, 4, 5, 6, 7];
        double[] y = [5, double.NaN, -1, 2, 9, 3, 4, double.NaN];
        var sampled = Sampling.Sample(x, y, buckets: 2);
        Assert.Equal([3, 7], sampled.X);
        Assert.Equal([-1, 3], sampled.Min);
        Assert.Equal([5, 9], sampled.Max);
        Assert.Equal(2, sampled.Last[0]);
        Assert.True(double.IsNaN(sampled.Last[1]));
        Assert.Equal(8, sampled.Count);
    }

    [Fact]
    public void Block_summaries_give_the_same_extremes_as_the_points()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 10_000).Select(_ => random.NextDouble()).ToArray();
        values[4321] = 50;
        var chunk = new MetricChunk("loss", [.. Enumerable.Range(0, values.Length).Select(i => (long)i)], new long[values.Length], values);
        Assert.True(chunk.IsDense);
        var (min, max, last) = chunk.Blocks(MetricHistoryTable.BlockSize);

        var byPoints = new MetricChunks("loss", [new MetricChunkRead(0, values.Length - 1, null, null, values)]).TrySampleBySteps(20)!;
        var byBlocks = new MetricChunks("loss", [new MetricChunkRead(0, values.Length - 1, null, null, null, min, max, last)]).TrySampleBySteps(20)!;
        Assert.Equal(byPoints.Max.Max(), byBlocks.Max.Max());
        Assert.Equal(byPoints.Min.Min(), byBlocks.Min.Min());
        Assert.Equal(values[^1], byBlocks.Last[^1]);
        Assert.Equal(values.Length, byBlocks.Count);
    }

    [Fact]
    public void Small_chunks_without_blocks_are_sampled_from_their_points_beside_summarised_ones()
    {
        var values = Enumerable.Range(0, 640).Select(i => (double)i).ToArray();
        var chunk = new MetricChunk("loss", [.. Enumerable.Range(0, 640).Select(i => (long)i)], new long[640], values);
        var (min, max, last) = chunk.Blocks(MetricHistoryTable.BlockSize);
        var sampled = new MetricChunks("loss", [
            new MetricChunkRead(0, 639, null, null, null, min, max, last),
            new MetricChunkRead(640, 649, null, null, [-5, 0, 0, 0, 0, 0, 0, 0, 0, 700]),
        ]).TrySampleBySteps(5)!;
        Assert.Equal(650, sampled.Count);
        Assert.Equal(-5, sampled.Min.Min());
        Assert.Equal(700, sampled.Max.Max());
        Assert.Equal(700, sampled.Last[^1]);
        Assert.Equal(649, sampled.X[^1]);
    }

    [Fact]
    public void Rewritten_steps_keep_the_last_write()
    {
        var chunks = new MetricChunks("loss", [
            new MetricChunkRead(0, 2, null, new long[3], [1, 2, 3]),
            new MetricChunkRead(1, 1, [1], new long[1], [20]),
        ]);
        Assert.Null(chunks.TrySampleBySteps(10));
        var series = chunks.ToSeries();
        Assert.Equal([0, 1, 2], series.Steps);
        Assert.Equal([1, 20, 3], series.Values);
    }

    [Fact]
    public void A_chunk_with_gaps_or_repeats_is_not_dense()
    {
        Assert.False(new MetricChunk("k", [0, 2], new long[2], new double[2]).IsDense);
        Assert.False(new MetricChunk("k", [3, 3], new long[2], new double[2]).IsDense);
    }
}

public sealed class RunFilterCompileTests
{
    [Fact]
    public void Values_travel_as_parameters_never_as_sql_text()
    {
        var parameters = new SqlParameters();
        var sql = RunFilter.Compile("""{"name":"x'; drop table runs; --","config.a'b":{"$gt":1}}""", parameters);
        Assert.DoesNotContain("drop table", sql);
        Assert.DoesNotContain("a'b", sql);
        Assert.Equal(3, parameters.All.Count);
    }

    [Theory]
    [InlineData("[]", "filters: a filter is a JSON object")]
    [InlineData("""{"$where":"1"}""", "filters.$where: unknown operator")]
    [InlineData("""{"config.":1}""", "filters.config.: unknown field")]
    [InlineData("""{"config.a..b":1}""", "is not a config path")]
    [InlineData("""{"name":{"$exists":"yes"}}""", "$exists takes true or false")]
    [InlineData("""{"name":{"$regex":"a","$options":"x"}}""", "$options supports")]
    [InlineData("""{"name":{"$in":"a"}}""", "takes a list of values")]
    public void Mistakes_are_named_with_their_path(string filter, string expected)
    {
        var problem = Assert.Throws<QueryProblem>(() => RunFilter.Compile(filter, new SqlParameters()));
        Assert.Contains(expected, problem.Message);
    }

    [Fact]
    public void Size_and_count_limits_are_enforced()
    {
        var big = "{\"name\":\"" + new string('x', RunFilter.MaxBytes) + "\"}";
        Assert.Contains("the limit is 16384", Assert.Throws<QueryProblem>(() => RunFilter.Compile(big, new SqlParameters())).Message);
        var many = "{\"$or\":[" + string.Join(',', Enumerable.Repeat("{\"name\":\"a\"}", RunFilter.MaxConditions + 1)) + "]}";
        Assert.Contains("more than 200 conditions", Assert.Throws<QueryProblem>(() => RunFilter.Compile(many, new SqlParameters())).Message);
        var regex = "{\"name\":{\"$regex\":\"" + new string('a', RunFilter.MaxRegexLength + 1) + "\"}}";
        Assert.Contains("the limit is 256", Assert.Throws<QueryProblem>(() => RunFilter.Compile(regex, new SqlParameters())).Message);
    }

    [Fact]
    public void A_cursor_survives_its_round_trip()
    {
        var cursor = new RunOrder.Cursor(true, "0.25", "team/p/run1");
        Assert.Equal(cursor, RunOrder.Cursor.Decode(cursor.Encode()));
        Assert.Equal(new RunOrder("summary.acc", true), RunOrder.Parse("-summary.acc"));
    }
}

public sealed class ParameterImportanceTests
{
    private static RunDetails Run(double lr, string optimizer, double seed, double accuracy) => new()
    {
        Config = new JsonObject { ["lr"] = lr, ["opt"] = new JsonObject { ["name"] = optimizer }, ["seed"] = seed },
        Summary = new() { ["acc"] = accuracy },
    };

    [Fact]
    public void The_forest_finds_a_u_shaped_effect_that_correlation_misses()
    {
        var random = new Random(1);
        var runs = Enumerable.Range(0, 200).Select(i =>
        {
            var lr = random.NextDouble();
            return Run(lr, i % 2 == 0 ? "adam" : "sgd", random.NextDouble(), 1 - Math.Abs(lr - 0.5));
        }).Append(Run(0.5, "adam", 0, double.NaN)).ToList();

        var result = ParameterImportance.Compute(runs, "summary.acc", null);
        Assert.Equal(200, result.RunsUsed);
        Assert.Equal("config.lr", result.Parameters[0].Key);
        Assert.True(result.Parameters[0].Importance > 5 * result.Parameters.Single(p => p.Key == "config.seed").Importance);
        Assert.InRange(Math.Abs(result.Parameters[0].Correlation!.Value), 0, 0.3);
        Assert.Null(result.Parameters.Single(p => p.Key == "config.opt.name").Correlation);
    }

    [Fact]
    public void Too_few_runs_give_correlations_but_no_forest()
    {
        var runs = new[] { Run(0.1, "a", 1, 0.1), Run(0.2, "a", 2, 0.2), Run(0.3, "b", 3, 0.3) };
        var result = ParameterImportance.Compute(runs, "summary.acc", ["config.lr"]);
        Assert.Null(result.Parameters[0].Importance);
        Assert.Equal(1.0, result.Parameters[0].Correlation!.Value, 6);
    }

    [Fact]
    public void Grouped_lines_carry_the_standard_deviation_and_the_count_per_bucket()
    {
        var groups = GroupedHistory.Aggregate(
        [
            ("adam", [0, 1], [1, 10]),
            ("adam", [0, 1], [3, 10]),
            ("sgd", [0, 1], [5, double.NaN]),
        ], buckets: 2);
        var adam = groups.Single(g => g.Value == "adam");
        Assert.Equal([2, 10], adam.Mean);
        Assert.Equal(Math.Sqrt(2), adam.Std[0], 9);
        Assert.Equal(0, adam.Std[1]);
        Assert.Equal([2, 2], adam.Count);
        var sgd = groups.Single(g => g.Value == "sgd");
        Assert.Equal([1], sgd.Count);
        Assert.Equal([0], sgd.Std);
    }
}
