/**
 * User card widgets for the account area.
 *
 * @remarks
 * The `@Component` decorator marks a class as an Angular component and provides
 * configuration metadata that determines how the component should be processed.
 *
 * @packageDocumentation
 */

import {
  Component,
  EventEmitter,
  Injectable,
  Input,
  OnInit,
  Output,
} from '@angular/core';
import { HttpClient } from '@angular/common/http';
import { Observable } from 'rxjs';

/**
 * A user as the API returns it.
 * @public
 */
export interface User {
  id: string;
  name: string;
  /** Contact address; see @alice's note in the design doc. */
  email?: string;
}

/**
 * Loads users from the back end.
 * @beta
 */
@Injectable({ providedIn: 'root' })
export class UserService {
  constructor(private readonly http: HttpClient) {}

  /**
   * Fetches one user.
   * @param id - The user's id.
   * @returns An observable of the user.
   * @internal
   */
  get(id: string): Observable<User> {
    return this.http.get<User>(`/api/users/${id}`);
  }
}

/**
 * @Component decorator marks a class as an Angular component and provides configuration metadata.
 * @Input() and @Output() mark the bindings below.
 */
@Component({
  selector: 'app-user-card',
  template: `
    <div class="card" (click)="select()">
      <!-- @component user-card -->
      {{ user?.name }}
    </div>
  `,
  styleUrls: ['./user-card.component.css'],
})
export class UserCardComponent implements OnInit {
  /** The user to show. */
  @Input() user?: User;

  /** Emits when the card is clicked. */
  @Output() selected = new EventEmitter<User>();

  /** @internal */
  loaded = false;

  ngOnInit(): void {
    // @ts-ignore: the analytics global is injected by a script tag
    window.analytics.track('user-card');
    this.loaded = true;
  }

  select(): void {
    // @ts-expect-error name is undefined until a user is bound
    const name: string = this.user?.name;
    console.debug(`selected @${name}`);
    this.selected.emit(this.user); /* @Output() emits synchronously */
  }
}

// @Component, @Injectable and @Input are decorators from '@angular/core'.
