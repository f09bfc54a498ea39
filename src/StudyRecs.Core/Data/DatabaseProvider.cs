namespace StudyRecs.Core.Data;

public enum DatabaseProvider
{
    /// <summary>Embedded default: one file in the data folder.</summary>
    Sqlite,

    /// <summary>Server database for multi-node deployments.</summary>
    Postgres,

    /// <summary>Server database for multi-node deployments, as most universities already run.</summary>
    SqlServer,
}
