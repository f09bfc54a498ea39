using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StudyRecs.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ImportedScoreSets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ImportedScoreSets",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Label = table.Column<string>(type: "TEXT", maxLength: 23, nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Rows = table.Column<long>(type: "INTEGER", nullable: false),
                    Students = table.Column<int>(type: "INTEGER", nullable: false),
                    Resources = table.Column<int>(type: "INTEGER", nullable: false),
                    ImportedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    ImportedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ImportedScoreSets", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ImportedScores",
                columns: table => new
                {
                    SetId = table.Column<long>(type: "INTEGER", nullable: false),
                    StudentId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ResourceId = table.Column<long>(type: "INTEGER", nullable: false),
                    Score = table.Column<float>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ImportedScores", x => new { x.SetId, x.StudentId, x.ResourceId });
                    table.ForeignKey(
                        name: "FK_ImportedScores_ImportedScoreSets_SetId",
                        column: x => x.SetId,
                        principalTable: "ImportedScoreSets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ImportedScoreSets_Label",
                table: "ImportedScoreSets",
                column: "Label",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ImportedScores");

            migrationBuilder.DropTable(
                name: "ImportedScoreSets");
        }
    }
}
