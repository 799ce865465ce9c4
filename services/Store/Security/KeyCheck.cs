namespace Runstream.Store.Security;

/// <summary>
/// The outcome of checking a request's key: the entity it belongs to, or none; or, for a client whose
/// lookups kept failing, to come back after <see cref="RetryAfter"/> without the key having been looked up.
/// </summary>
public readonly record struct KeyCheck(string? Entity, TimeSpan RetryAfter)
{
    public static readonly KeyCheck Invalid = new(null, TimeSpan.Zero);

    public static KeyCheck Valid(string entity) => new(entity, TimeSpan.Zero);

    public static KeyCheck Throttle(TimeSpan retryAfter) => new(null, retryAfter);

    public bool Throttled => RetryAfter > TimeSpan.Zero;
}
