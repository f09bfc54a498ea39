using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StudyRecs.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class TrainedModelArtifactsTable : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "TrainedModelArtifacts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Artifact = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrainedModelArtifacts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TrainedModelArtifacts_TrainedModels_Id",
                        column: x => x.Id,
                        principalTable: "TrainedModels",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Existing versions keep their bytes: copied to the new table before the column goes.
            migrationBuilder.Sql("INSERT INTO \"TrainedModelArtifacts\" (\"Id\", \"Artifact\") SELECT \"Id\", \"Artifact\" FROM \"TrainedModels\";");

            // SQLite's own DROP COLUMN (3.35+) runs inside the migration's transaction; EF's DropColumn rebuilds the
            // table with foreign keys switched off outside any transaction, so a crash could leave it half-migrated.
            migrationBuilder.Sql("ALTER TABLE \"TrainedModels\" DROP COLUMN \"Artifact\";");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "Artifact",
                table: "TrainedModels",
                type: "BLOB",
                nullable: false,
                defaultValue: new byte[0]);

            migrationBuilder.Sql("UPDATE \"TrainedModels\" SET \"Artifact\" = (SELECT a.\"Artifact\" FROM \"TrainedModelArtifacts\" a WHERE a.\"Id\" = \"TrainedModels\".\"Id\");");

            migrationBuilder.DropTable(
                name: "TrainedModelArtifacts");
        }
    }
}
