using Runstream.Store.Runs;

namespace Runstream.Store.Views;

/// <summary>A named workspace state of a project, shared by everyone in its entity.</summary>
public sealed class SavedView
{
    /// <summary>The view's stream key, <c>view:entity/project/viewId</c>.</summary>
    public string Id { get; set; } = "";
    public string ViewId { get; set; } = "";
    public string Entity { get; set; } = "";
    public string Project { get; set; } = "";
    public string ProjectKey { get; set; } = "";
    public string Name { get; set; } = "";
    public string State { get; set; } = "";
    /// <summary>The name of the API key that saved it last.</summary>
    public string SavedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset SavedAt { get; set; }
    /// <summary>How many times it was saved.</summary>
    public int Saves { get; set; }

    public const int MaxNameLength = 100;
    public const int MaxStateLength = 32 * 1024;

    /// <summary>The prefix keeps view streams apart from runs' (<c>entity/project/run</c>, which contain no ':').</summary>
    public static string StreamKeyOf(string entity, string project, string viewId) => $"view:{RunKey.ProjectKeyOf(entity, project)}/{viewId}";
}
