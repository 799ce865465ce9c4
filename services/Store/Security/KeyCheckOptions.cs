namespace Runstream.Store.Security;

/// <summary>How many key lookups that find no key a client address may cause (<c>Security:*</c>).</summary>
public sealed class KeyCheckOptions
{
    /// <summary>Failed lookups per second, per client address, once the burst is spent.</summary>
    public int FailedLookupsPerSecond { get; set; } = 20;

    /// <summary>Failed lookups a client address may cause in a row.</summary>
    public int FailedLookupBurst { get; set; } = 100;
}
