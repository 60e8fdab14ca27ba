import {
  Body,
  Controller,
  Delete,
  Get,
  Injectable,
  Param,
  ParseIntPipe,
  Post,
  UseGuards,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AuthGuard } from '@nestjs/passport';
import { Column, Entity, PrimaryGeneratedColumn, Repository } from 'typeorm';

/**
 * A cat, as stored in the `cat` table.
 * @Entity() maps the class to a table; @Column() maps each field.
 */
@Entity()
export class Cat {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column()
  name!: string;

  @Column({ type: 'int', default: 0 })
  age!: number;

  @Column({ nullable: true }) // @Column() defaults to NOT NULL
  breed?: string;
}

export class CreateCatDto {
  name!: string;
  age!: number;
  breed?: string;
}

@Injectable()
export class CatsService {
  constructor(
    @InjectRepository(Cat)
    private readonly cats: Repository<Cat>,
  ) {}

  findOne(id: number): Promise<Cat | null> {
    return this.cats.findOneBy({ id });
  }

  create(dto: CreateCatDto): Promise<Cat> {
    return this.cats.save(this.cats.create(dto));
  }

  async remove(id: number): Promise<void> {
    await this.cats.delete(id);
  }
}

/*
 * @Controller('cats') prefixes every route below with /cats.
 * @UseGuards(AuthGuard) runs before each handler.
 * @controllers: registered in app.module.ts
 */
@Controller('cats')
@UseGuards(AuthGuard('jwt'))
export class CatsController {
  constructor(private readonly catsService: CatsService) {}

  // @Get(':id') reads one cat
  @Get(':id')
  findOne(@Param('id', ParseIntPipe) id: number): Promise<Cat | null> {
    return this.catsService.findOne(id);
  }

  @Post()
  create(@Body() dto: CreateCatDto): Promise<Cat> {
    return this.catsService.create(dto);
  }

  @Delete(':id') // @Controller routes are public unless guarded
  remove(@Param('id', ParseIntPipe) id: number): Promise<void> {
    return this.catsService.remove(id);
  }
}
