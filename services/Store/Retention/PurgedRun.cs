using System.Security.Cryptography;
using System.Text;

namespace Runstream.Store.Retention;

/// <summary>
/// What is left of a run after its hard delete: proof, for audit, that it existed, was deleted and then
/// purged, and by whom, with nothing the run recorded. Project names and run ids are chosen by users and
/// may name a person or a data set, so the run is known here only by the SHA-256 of its stream key:
/// whoever knows the key can show that this run was purged, and nobody can read the key back out.
/// The entity stays in clear text; it is the account the data belonged to, which outlives the run.
/// </summary>
public sealed class PurgedRun
{
    /// <summary>SHA-256 (hex) of the run's stream key, <c>entity/project/runId</c> (<see cref="HashOf"/>).</summary>
    public string Id { get; set; } = "";
    public string Entity { get; set; } = "";
    /// <summary>SHA-256 (hex) of <c>entity/project</c>: which purges belong to one project's deletion.</summary>
    public string ProjectHash { get; set; } = "";
    /// <summary>The API key id that soft-deleted the run (or moved it away), as its RunDeleted event said.</summary>
    public string? DeletedBy { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
    /// <summary><c>retention</c> for the timed purge, <c>admin</c> for a purge requested through the admin API.</summary>
    public string PurgedBy { get; set; } = "";
    public DateTimeOffset PurgedAt { get; set; }
    public PurgeCounts Removed { get; set; } = new();

    public static string HashOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
