using System.Text.RegularExpressions;

namespace Runstream.Client;

/// <summary>
/// A step of a run, for <see cref="RunSettings.ForkFrom"/> and <see cref="RunSettings.ResumeFrom"/>; <see cref="Parse"/>
/// reads wandb's form, <c>"&lt;run id&gt;?_step=200"</c>.
/// </summary>
public sealed partial record RunStepReference(string RunId, long Step)
{
    public static RunStepReference Parse(string value) =>
        Reference().Match(value) is { Success: true } match
            ? new RunStepReference(match.Groups["run"].Value, long.Parse(match.Groups["step"].Value, System.Globalization.CultureInfo.InvariantCulture))
            : throw new FormatException($"'{value}' is no run step; write it as \"<run id>?_step=<step>\", e.g. \"abc123?_step=200\".");

    public override string ToString() => $"{RunId}?_step={Step}";

    [GeneratedRegex(@"^(?<run>[A-Za-z0-9._-]{1,128})\?_step=(?<step>\d{1,18})$")]
    private static partial Regex Reference();
}
