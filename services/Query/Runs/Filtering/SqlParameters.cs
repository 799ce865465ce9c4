using Npgsql;
using NpgsqlTypes;

namespace Runstream.Query.Runs.Filtering;

/// <summary>Positional parameters ($1, $2, ...) for SQL built from a request; values never become SQL text.</summary>
public sealed class SqlParameters
{
    private readonly List<NpgsqlParameter> _parameters = [];

    public IReadOnlyList<NpgsqlParameter> All => _parameters;

    public string Add(string value) => Add(new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Text });

    public string Add(string[] values) => Add(new NpgsqlParameter { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });

    /// <summary>A JSON value, as jsonb.</summary>
    public string AddJson(string json) => Add(new NpgsqlParameter { Value = json, NpgsqlDbType = NpgsqlDbType.Jsonb });

    private string Add(NpgsqlParameter parameter)
    {
        _parameters.Add(parameter);
        return $"${_parameters.Count}";
    }
}
