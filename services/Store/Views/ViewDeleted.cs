namespace Runstream.Store.Views;

public sealed record ViewDeleted(string DeletedBy, DateTimeOffset DeletedAt) : ISavedViewEvent;
