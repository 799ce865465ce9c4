namespace Runstream.Store.Views;

/// <summary>An event of a saved view's own stream (<see cref="SavedView.StreamKeyOf"/>); no run's.</summary>
public interface ISavedViewEvent;
