using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;
using StudyRecs.Core.Data;

namespace StudyRecs.Tests.Databases;

/// <summary>
/// Translates every query the tests run on SQLite or PostgreSQL for SQL Server as well, where no server can run here:
/// the query's expression, as EF is about to compile it, is compiled again against the SQL Server model (reads,
/// ExecuteUpdate and ExecuteDelete alike). A query SQL Server cannot translate throws in the test that runs it, with the
/// SQL Server provider's message. Registered by the test hosts as an EF interceptor.
/// </summary>
public sealed class SqlServerQueryCheck : IQueryExpressionInterceptor
{
    public static readonly SqlServerQueryCheck Instance = new();

    private SqlServerQueryCheck()
    {
    }

    /// <summary>How many distinct queries were checked in this process.</summary>
    public static int Checked => Volatile.Read(ref s_checked);

    private static int s_checked;

    public Expression QueryCompilationStarting(Expression queryExpression, QueryExpressionEventData eventData)
    {
        if (eventData.Context is { } context && !context.Database.IsSqlServer())
        {
            Translate(queryExpression);
        }

        return queryExpression;
    }

    /// <summary>Compiles <paramref name="query"/> (built on any provider's model) for SQL Server; throws when it cannot be translated.</summary>
    public static void Translate(Expression query)
    {
        // No connection is ever opened: compiling a query needs the model and the provider's services only.
        using var db = MigrationScripts.OfflineContext(DatabaseProvider.SqlServer);
        var rooted = new SqlServerRoots(db.Model).Visit(query);
        // A query of rows (IQueryable<T>, ordered or with includes) compiles to a sequence; any other to its scalar.
        var rows = rooted.Type.GetInterfaces().Prepend(rooted.Type)
            .FirstOrDefault(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IQueryable<>));
        var result = rows is null ? rooted.Type : typeof(IEnumerable<>).MakeGenericType(rows.GetGenericArguments());
        var compile = typeof(IDatabase).GetMethod(nameof(IDatabase.CompileQuery))!.MakeGenericMethod(result);
        try
        {
            compile.Invoke(db.GetService<IDatabase>(), [rooted, false]);
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new InvalidOperationException($"SQL Server cannot run a query the portal runs: {e.InnerException.Message}", e.InnerException);
        }

        Interlocked.Increment(ref s_checked);
    }

    // The query's entity roots point at the other provider's model; the same entity types of the SQL Server model replace them.
    private sealed class SqlServerRoots(Microsoft.EntityFrameworkCore.Metadata.IModel model) : ExpressionVisitor
    {
        protected override Expression VisitExtension(Expression node) => node switch
        {
            EntityQueryRootExpression root when root.GetType() == typeof(EntityQueryRootExpression) =>
                new EntityQueryRootExpression(model.FindEntityType(root.EntityType.Name)
                    ?? throw new InvalidOperationException($"The SQL Server model has no entity type {root.EntityType.Name}.")),
            _ => base.VisitExtension(node),
        };
    }
}
