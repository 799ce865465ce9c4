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
}
