using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Runstream.Store.Views;

/// <summary>Inline: a saved view is listed as soon as the request that saved it is answered.</summary>
public sealed partial class SavedViewProjection : SingleStreamProjection<SavedView, string>
{
    public SavedViewProjection()
    {
        IncludeType<ViewSaved>();
        IncludeType<ViewDeleted>();
    }

    public override SavedView? Evolve(SavedView? view, string id, IEvent e)
    {
        switch (e.Data)
        {
            case ViewSaved saved:
                view ??= new SavedView
                {
                    Id = id, ViewId = saved.ViewId, Entity = saved.Entity, Project = saved.Project,
                    ProjectKey = Runs.RunKey.ProjectKeyOf(saved.Entity, saved.Project), CreatedAt = saved.SavedAt,
                };
                view.Name = saved.Name;
                view.State = saved.State;
                view.SavedBy = saved.SavedBy;
                view.SavedAt = saved.SavedAt;
                view.Saves++;
                return view;
            case ViewDeleted:
                return null;
            default:
                return view;
        }
    }
}
