using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StudyRecs.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class OneRegistryPath : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_ModelTrainingProfiles_TrainedModelArtifacts_TrainedModelId",
                table: "ModelTrainingProfiles");

            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "TrainingRuns",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "Grades");

            migrationBuilder.AlterColumn<string>(
                name: "FeatureSchemaJson",
                table: "TrainedModels",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<string>(
                name: "DatasetIdsJson",
                table: "TrainedModels",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT");

            migrationBuilder.AddColumn<string>(
                name: "ArtifactFormat",
                table: "TrainedModels",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "studyrecs-trees");

            migrationBuilder.AddColumn<long>(
                name: "ArtifactLength",
                table: "TrainedModels",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "CatalogJson",
                table: "TrainedModels",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "Id",
                table: "TrainedModelArtifacts",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER")
                .OldAnnotation("Sqlite:Autoincrement", true);

            migrationBuilder.CreateIndex(
                name: "IX_TrainingRuns_Kind_Id",
                table: "TrainingRuns",
                columns: new[] { "Kind", "Id" });

            migrationBuilder.AddForeignKey(
                name: "FK_ModelTrainingProfiles_TrainedModels_TrainedModelId",
                table: "ModelTrainingProfiles",
                column: "TrainedModelId",
                principalTable: "TrainedModels",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Back to the older layout: a recommender's catalog map in the feature schema's column, "[]" as its datasets.
            migrationBuilder.Sql("""UPDATE "TrainedModels" SET "FeatureSchemaJson" = "CatalogJson", "DatasetIdsJson" = '[]' WHERE "Task" = 'Recommendation'""");
            migrationBuilder.Sql("""UPDATE "TrainedModels" SET "FeatureSchemaJson" = '{}' WHERE "FeatureSchemaJson" IS NULL""");
            migrationBuilder.Sql("""UPDATE "TrainedModels" SET "DatasetIdsJson" = '[]' WHERE "DatasetIdsJson" IS NULL""");
            migrationBuilder.Sql("""DELETE FROM "TrainingRuns" WHERE "Kind" = 'Recommendations'""");

            migrationBuilder.DropForeignKey(
                name: "FK_ModelTrainingProfiles_TrainedModels_TrainedModelId",
                table: "ModelTrainingProfiles");

            migrationBuilder.DropIndex(
                name: "IX_TrainingRuns_Kind_Id",
                table: "TrainingRuns");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "TrainingRuns");

            migrationBuilder.DropColumn(
                name: "ArtifactFormat",
                table: "TrainedModels");

            migrationBuilder.DropColumn(
                name: "ArtifactLength",
                table: "TrainedModels");

            migrationBuilder.DropColumn(
                name: "CatalogJson",
                table: "TrainedModels");

            migrationBuilder.AlterColumn<string>(
                name: "FeatureSchemaJson",
                table: "TrainedModels",
                type: "TEXT",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "DatasetIdsJson",
                table: "TrainedModels",
                type: "TEXT",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "Id",
                table: "TrainedModelArtifacts",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER")
                .Annotation("Sqlite:Autoincrement", true);

            migrationBuilder.AddForeignKey(
                name: "FK_ModelTrainingProfiles_TrainedModelArtifacts_TrainedModelId",
                table: "ModelTrainingProfiles",
                column: "TrainedModelId",
                principalTable: "TrainedModelArtifacts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
