using System.Threading.RateLimiting;

namespace Runstream.Query.Security;

/// <summary>
/// How many API requests one entity has in progress: a few heavy filters of one team cannot take every
/// pooled connection from the others. Over the limit (and a short line), 429 with Retry-After. Event
/// streams count separately: they are long-lived and hold no connection while idle.
/// </summary>
public static class EntityConcurrencyLimits
{
    public static IHostApplicationBuilder AddEntityConcurrencyLimits(this IHostApplicationBuilder builder, QueryOptions options)
    {
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                // Outside the API (health, the dashboard's files, admin) there is no entity to count.
                if (!http.HasEntity())
                    return RateLimitPartition.GetNoLimiter("");
                return IsEventStream(http)
                    ? RateLimitPartition.GetConcurrencyLimiter($"{http.Entity()} streams", _ => new ConcurrencyLimiterOptions { PermitLimit = options.EventStreamsPerEntity, QueueLimit = 0 })
                    : RateLimitPartition.GetConcurrencyLimiter(http.Entity(), _ => new ConcurrencyLimiterOptions
                    {
                        PermitLimit = options.ConcurrentRequestsPerEntity,
                        QueueLimit = options.QueuedRequestsPerEntity,
                        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    });
            });
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancellation) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                await Results.Problem(
                    $"This entity already has {options.ConcurrentRequestsPerEntity} requests in progress and {options.QueuedRequestsPerEntity} waiting " +
                    $"(Query:ConcurrentRequestsPerEntity, Query:QueuedRequestsPerEntity; event streams: {options.EventStreamsPerEntity}); retry after 1 s.",
                    statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests").ExecuteAsync(context.HttpContext);
            };
        });
        return builder;
    }

    private static bool IsEventStream(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName is Live.LiveEndpoints.ProjectEvents or Live.LiveEndpoints.RunEvents or Logs.LogEndpoints.LogEvents;
}
