using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StudyRecs.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class OneRegistryPathClearRecommenderColumns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The second half of OneRegistryPath on SQLite, once its rebuild made the columns nullable: a recommender
            // keeps its catalog map in CatalogJson and has neither a feature schema nor datasets.
            migrationBuilder.Sql("""UPDATE "TrainedModels" SET "FeatureSchemaJson" = NULL, "DatasetIdsJson" = NULL WHERE "Task" = 'Recommendation'""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""UPDATE "TrainedModels" SET "FeatureSchemaJson" = "CatalogJson", "DatasetIdsJson" = '[]' WHERE "Task" = 'Recommendation'""");
        }
    }
}
