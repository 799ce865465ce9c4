using Npgsql;

namespace Runstream.Query;

public static class StatementTimeouts
{
    /// <summary>
    /// Whether PostgreSQL cancelled a statement for running too long (SQLSTATE 57014), or the client gave
    /// up waiting; wherever in the chain of exceptions Marten or Npgsql put it.
    /// </summary>
    public static bool IsTimeout(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } or NpgsqlException { InnerException: TimeoutException })
                return true;
        return false;
    }
}
