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
            // The data half of OneRegistryPath on SQLite, in a migration of its own: SQLite rebuilds TrainedModels (two
            // columns becoming nullable) after every other statement of a migration, and EF warns of SQL run while a
            // rebuild is pending. Every version's artifact size and format (the engine's trees unless the bytes are an
            // ML.NET frame, "SRML", or the version is a recommender); a recommender keeps its catalog map in
            // CatalogJson and has neither a feature schema nor datasets.
            migrationBuilder.Sql("""UPDATE "TrainedModels" SET "ArtifactLength" = COALESCE((SELECT length(a."Artifact") FROM "TrainedModelArtifacts" a WHERE a."Id" = "TrainedModels"."Id"), 0)""");
            migrationBuilder.Sql("""UPDATE "TrainedModels" SET "ArtifactFormat" = 'mlnet' WHERE "Task" <> 'Recommendation' AND "Id" IN (SELECT a."Id" FROM "TrainedModelArtifacts" a WHERE substr(a."Artifact", 1, 4) = X'53524D4C')""");
            migrationBuilder.Sql("""UPDATE "TrainedModels" SET "ArtifactFormat" = 'studyrecs-recommender', "CatalogJson" = "FeatureSchemaJson", "FeatureSchemaJson" = NULL, "DatasetIdsJson" = NULL WHERE "Task" = 'Recommendation'""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""UPDATE "TrainedModels" SET "FeatureSchemaJson" = "CatalogJson", "DatasetIdsJson" = '[]' WHERE "Task" = 'Recommendation'""");
        }
    }
}
