using Runstream.Client;
using Runstream.Contracts.V1;

namespace Runstream.UnitTests;

public sealed class RunStartTests
{
    private static readonly RunProgress Missing = new() { Exists = false, LastStep = -1 };
    private static readonly RunProgress Existing = new() { Exists = true, LastSequence = 40, LastStep = 99, ConfigJson = """{"lr":0.1}""" };

    [Fact]
    public void A_new_id_starts_a_new_run_unless_resume_is_must()
    {
        Assert.False(RunStart.Decide("r", ResumeMode.Never, Missing, 0, -1).Resuming);
        Assert.False(RunStart.Decide("r", ResumeMode.Allow, Missing, 0, -1).Resuming);
        var error = Assert.Throws<RunResumeException>(() => RunStart.Decide("r", ResumeMode.Must, Missing, 0, -1));
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void An_existing_run_is_continued_after_its_last_sequence_and_step()
    {
        var start = RunStart.Decide("r", ResumeMode.Allow, Existing, 0, -1);
        Assert.True(start.Resuming);
        Assert.Equal(40, start.LastSequence);
        Assert.Equal(100, start.NextStep);
        Assert.Equal("""{"lr":0.1}""", start.ServerConfigJson);
    }

    [Fact]
    public void The_local_spool_wins_when_it_knows_more_than_the_server()
    {
        var start = RunStart.Decide("r", ResumeMode.Must, Existing, spoolLastSequence: 45, spoolLastStep: 120);
        Assert.Equal(45, start.LastSequence);
        Assert.Equal(121, start.NextStep);
    }

    [Fact]
    public void Never_refuses_an_existing_run()
    {
        var error = Assert.Throws<RunResumeException>(() => RunStart.Decide("r", ResumeMode.Never, Existing, 0, -1));
        Assert.Contains("exists already", error.Message);
    }

    [Theory]
    [InlineData("abc123?_step=200", "abc123", 200)]
    [InlineData("run.v2_x-1?_step=0", "run.v2_x-1", 0)]
    public void A_run_step_reads_wandbs_form(string value, string runId, long step) =>
        Assert.Equal(new RunStepReference(runId, step), RunStepReference.Parse(value));

    [Theory]
    [InlineData("abc123")]
    [InlineData("abc123?_step=-1")]
    [InlineData("a/b?_step=3")]
    [InlineData("abc?step=3")]
    public void Anything_else_is_no_run_step_and_the_error_shows_the_form(string value) =>
        Assert.Contains("<run id>?_step=<step>", Assert.Throws<FormatException>(() => RunStepReference.Parse(value)).Message);

    [Fact]
    public void A_fork_or_rewind_needs_a_run_that_reached_the_step()
    {
        RunStart.CheckStep("ForkFrom", new RunStepReference("p", 99), Existing);
        Assert.Contains("does not exist", Assert.Throws<RunResumeException>(() => RunStart.CheckStep("ForkFrom", new("p", 0), Missing)).Message);
        Assert.Contains("has logged up to step 99; step 100 is past its history",
            Assert.Throws<RunResumeException>(() => RunStart.CheckStep("ResumeFrom", new("p", 100), Existing)).Message);
    }
}
