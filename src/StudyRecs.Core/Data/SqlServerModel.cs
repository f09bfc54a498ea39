using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Data;

/// <summary>
/// Where SQL Server needs the model said differently from SQLite and PostgreSQL. Kept in one place so the features'
/// configurations stay provider-neutral and the other providers' migrations are untouched.
/// </summary>
internal static class SqlServerModel
{
    public static void Apply(ModelBuilder builder)
    {
        // A bit column is not a predicate in T-SQL, and there is no TRUE keyword.
        builder.Entity<TrainedModel>().HasIndex(m => m.Task).IsUnique().HasFilter("[IsActive] = 1").HasDatabaseName("IX_TrainedModels_Task_Active");

        // SQL Server's unique indexes admit one NULL only; staff accounts have no student id, so only ids are unique.
        builder.Entity<ApplicationUser>().HasIndex(u => u.StudentId).IsUnique().HasFilter("[StudentId] IS NOT NULL");

        // SQL Server refuses cascading actions on a self-referencing key (error 1785: "may cause cycles"). Datasets are
        // never deleted by the portal; should one be, EF clears the reference on the datasets it has loaded.
        builder.Entity<UploadedDataset>().HasOne<UploadedDataset>().WithMany().HasForeignKey(d => d.DuplicateOfId).OnDelete(DeleteBehavior.ClientSetNull);
    }
}
